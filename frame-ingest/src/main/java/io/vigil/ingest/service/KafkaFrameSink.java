package io.vigil.ingest.service;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.smallrye.common.annotation.Identifier;
import io.vigil.ingest.FrameSink;
import io.vigil.kafka.DeadLetters;
import io.vigil.kafka.KafkaClientConfig;
import io.vigil.kafka.RecordTracing;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes frames to {@link Topics#FRAMES} keyed by camera id, with an idempotent producer and
 * {@code acks=all}: a retried send never duplicates or reorders a camera's frames. Rejected input goes to
 * {@link Topics#DEAD_LETTER} with the reason in headers.
 */
@ApplicationScoped
public class KafkaFrameSink implements FrameSink {

    private static final Logger LOG = Logger.getLogger(KafkaFrameSink.class);
    static final String STAGE = "frame-ingest";
    static final String FRAME_INDEX_HEADER = "vigil.frame-index";

    private final KafkaProducer<String, byte[]> producer;
    private final RecordTracing tracing;
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong failuresAtLastFlush = new AtomicLong();

    public KafkaFrameSink(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, IngestConfig config,
            OpenTelemetry openTelemetry) {
        this.tracing = new RecordTracing(openTelemetry);
        this.producer = new KafkaProducer<>(producerConfig(kafkaConfig, config.producer()), new StringSerializer(),
                new ByteArraySerializer());
    }

    static Map<String, Object> producerConfig(Map<String, Object> kafkaConfig, Map<String, String> overrides) {
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ProducerConfig.configNames());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, STAGE);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"); // JPEG does not compress further
        props.putAll(overrides);
        return props;
    }

    @Override
    public void publish(Frame frame) {
        // Each frame starts a trace, its span lasting until the broker has it; detection, assembly, scoring and
        // alerting continue it from the record's headers.
        Span span = tracing.publish(Topics.FRAMES, frame.getCameraId());
        span.setAttribute(RecordTracing.FRAME_INDEX, frame.getFrameIndex());
        byte[] value = VigilSerdes.FRAME.serializer().serialize(Topics.FRAMES, frame);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.FRAMES, frame.getCameraId(), value);
        RecordTracing.inject(span, record.headers());
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
                sendFailures.incrementAndGet();
                LOG.errorf("frame %d of camera %s was not stored: %s", frame.getFrameIndex(), frame.getCameraId(),
                        error.getMessage());
            }
            span.end();
        });
    }

    @Override
    public void reject(RejectedInput rejected) {
        ProducerRecord<String, byte[]> record = DeadLetters.of(rejected.cameraId(), rejected.payload(), STAGE,
                rejected.reason(), rejected.source(), rejected.cause());
        record.headers().add(FRAME_INDEX_HEADER, Long.toString(rejected.frameIndex()).getBytes(StandardCharsets.UTF_8));
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                LOG.errorf("dead-letter record for camera %s was not stored: %s", rejected.cameraId(), error.getMessage());
            }
        });
    }

    @Override
    public boolean flush() {
        producer.flush();
        long failures = sendFailures.get();
        return failuresAtLastFlush.getAndSet(failures) == failures;
    }

    public long sendFailures() {
        return sendFailures.get();
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(30));
    }

}
