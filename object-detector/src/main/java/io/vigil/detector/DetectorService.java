package io.vigil.detector;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.common.detect.FrameDetector;
import io.vigil.common.kafka.TransactionalClients;
import io.vigil.common.kafka.TransactionalLoop;
import io.vigil.proto.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

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
        return TransactionalClients.consumer(kafkaConfig, GROUP_ID, GROUP_ID + "-" + instance + "-" + i,
                config.maxBatch() * 4, config.maxWait());
    }

    private KafkaProducer<String, byte[]> producer(String instance, int i) {
        return TransactionalClients.producer(kafkaConfig, GROUP_ID + "-" + instance + "-" + i);
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
        return detector.name();
    }
}
