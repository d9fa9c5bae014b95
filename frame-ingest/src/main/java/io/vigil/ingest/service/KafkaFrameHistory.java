package io.vigil.ingest.service;

import io.smallrye.common.annotation.Identifier;
import io.vigil.ingest.ResumePoint;
import io.vigil.kafka.CameraPartition;
import io.vigil.kafka.KafkaClientConfig;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads back the last frame a camera published, from the end of the camera's partition of
 * {@link Topics#FRAMES}, scanning backwards in chunks (other cameras may share the partition).
 */
@ApplicationScoped
public class KafkaFrameHistory {

    private static final int CHUNK = 256;
    /** Give up after this many records of other cameras: such a camera is treated as new. */
    private static final int MAX_SCANNED = 20_000;

    private final Map<String, Object> consumerConfig;

    public KafkaFrameHistory(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.consumerConfig = KafkaClientConfig.forClient(kafkaConfig, ConsumerConfig.configNames());
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "frame-ingest-history");
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, CHUNK);
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }

    public Optional<ResumePoint> lastFrame(String cameraId) {
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = CameraPartition.find(consumer, Topics.FRAMES, cameraId, Duration.ofSeconds(30))
                    .orElseThrow(() -> new IllegalStateException("topic " + Topics.FRAMES + " does not exist"));
            consumer.assign(List.of(tp));
            long begin = consumer.beginningOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long scanned = 0;
            for (long upTo = end; upTo > begin && scanned < MAX_SCANNED; upTo = Math.max(begin, upTo - CHUNK)) {
                long from = Math.max(begin, upTo - CHUNK);
                consumer.seek(tp, from);
                ConsumerRecord<String, byte[]> last = null;
                long chunkDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (consumer.position(tp) < upTo) {
                    if (System.nanoTime() > chunkDeadline) {
                        throw new IllegalStateException("reading " + tp + " from offset " + from + " timed out");
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                        if (r.offset() < upTo && cameraId.equals(r.key())) {
                            last = r;
                        }
                    }
                }
                scanned += upTo - from;
                if (last != null) {
                    Frame f = VigilSerdes.FRAME.parse(last);
                    return Optional.of(new ResumePoint(f.getFrameIndex(), f.getSource(), f.getEndOfSource()));
                }
            }
            return Optional.empty();
        }
    }
}
