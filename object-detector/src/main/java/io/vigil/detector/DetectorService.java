package io.vigil.detector;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.common.detect.FrameDetector;
import io.vigil.common.kafka.KafkaClientConfig;
import io.vigil.common.kafka.TransactionalLoop;
import io.vigil.proto.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Starts the detector loops at start-up (after the model loaded) and stops them at shutdown. */
@ApplicationScoped
public class DetectorService {

    static final String GROUP_ID = "vigil-object-detector";

    private final DetectorConfig config;
    private final FrameDetector detector;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private final List<TransactionalLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    public DetectorService(DetectorConfig config, FrameDetector detector,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry registry) {
        this.config = config;
        this.detector = detector;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        String instance = config.instanceId().orElse(InetAddress.getLocalHost().getHostName());
        DetectionHandler handler = new DetectionHandler(detector, registry);
        for (int i = 0; i < config.consumers(); i++) {
            TransactionalLoop loop = new TransactionalLoop(consumer(instance, i), producer(instance, i), Topics.FRAMES,
                    DetectionHandler.STAGE, config.maxBatch(), config.maxWait(), handler);
            loops.add(loop);
            Thread t = new Thread(loop, "detector-" + i);
            threads.add(t);
            t.start();
        }
    }

    private KafkaConsumer<String, byte[]> consumer(String instance, int i) {
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ConsumerConfig.configNames());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, GROUP_ID + "-" + instance + "-" + i);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch() * 4);
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) config.maxWait().toMillis());
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> producer(String instance, int i) {
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ProducerConfig.configNames());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, GROUP_ID + "-" + instance + "-" + i);
        // Stable per instance and thread: a restarted instance fences its own zombie and aborts its open transaction.
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, GROUP_ID + "-" + instance + "-" + i);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        loops.forEach(TransactionalLoop::stop);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    List<TransactionalLoop> loops() {
        return loops;
    }

    String detectorName() {
        return detector.detector().name();
    }
}
