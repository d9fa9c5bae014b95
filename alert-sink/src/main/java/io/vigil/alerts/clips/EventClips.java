package io.vigil.alerts.clips;

import io.smallrye.common.annotation.Identifier;
import io.vigil.alerts.AlertConfig;
import io.vigil.common.collect.LruMap;
import io.vigil.kafka.CameraPartition;
import io.vigil.kafka.KafkaClientConfig;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An event's clip: its camera's frames on {@code vigil.frames} from its start to its end, with a margin either side,
 * as an MP4. Read from the camera's partition from the offset of the start's time; built on request, one at a time,
 * and the latest few kept (a clip changes only while its event is open).
 */
@ApplicationScoped
public class EventClips {

    /** A clip and how many frames it holds. */
    public record Clip(byte[] mp4, int frames) {
    }

    /** The seek goes by record timestamps (the producer's clock), the clip by capture times (the camera's). */
    private static final long CLOCK_SLACK_MS = 60_000;

    private final AlertConfig.Clips config;
    private final Map<String, Object> kafkaConfig;
    private final Semaphore encoding = new Semaphore(1);
    private final Map<String, Clip> recent;

    public EventClips(AlertConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config.clips();
        this.kafkaConfig = kafkaConfig;
        this.recent = new LruMap<>(this.config.cacheSize());
    }

    /** The clip; empty when no frame of the span is on the topic. Throws {@link Busy} when another clip takes too long. */
    public Optional<Clip> clip(AnomalyEvent e) throws IOException, InterruptedException {
        String key = e.getEventId() + "@" + e.getEndFrameIndex();
        synchronized (recent) {
            Clip c = recent.get(key);
            if (c != null) {
                return Optional.of(c);
            }
        }
        if (!encoding.tryAcquire(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new Busy();
        }
        try {
            List<Frame> frames = frames(e);
            if (frames.isEmpty()) {
                return Optional.empty();
            }
            Clip c = new Clip(ClipEncoder.mp4(frames.stream().map(f -> f.getJpeg().toByteArray()).toList(), fps(frames),
                    config.encodeTimeout()),
                    frames.size());
            synchronized (recent) {
                recent.put(key, c);
            }
            return Optional.of(c);
        } finally {
            encoding.release();
        }
    }

    /** Another clip is being made and did not finish in time. */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("another clip is being made; try again shortly");
        }
    }

    private List<Frame> frames(AnomalyEvent e) {
        long margin = config.margin().toMillis();
        long from = e.getStartTimeMs() - margin;
        long to = Math.max(e.getEndTimeMs(), e.getPeakTimeMs()) + margin;
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ConsumerConfig.configNames());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-alert-sink-clips");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        List<Frame> out = new ArrayList<>();
        long deadline = System.nanoTime() + config.readTimeout().toNanos();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            Optional<TopicPartition> partition = CameraPartition.find(c, Topics.FRAMES, e.getCameraId(), config.readTimeout());
            if (partition.isEmpty()) {
                return out; // no frames topic, no frames
            }
            TopicPartition tp = partition.get();
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            OffsetAndTimestamp start = c.offsetsForTimes(Map.of(tp, Math.max(0, from - CLOCK_SLACK_MS))).get(tp);
            if (start == null) {
                return out;
            }
            c.seek(tp, start.offset());
            while (c.position(tp) < end && out.size() < config.maxFrames() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (!e.getCameraId().equals(r.key())) {
                        continue;
                    }
                    try {
                        Frame f = VigilSerdes.FRAME.parse(r);
                        if (f.getCaptureTimeMs() > to) {
                            return out; // a camera's frames are in capture order on its partition
                        }
                        if (f.getCaptureTimeMs() >= from && f.getCaptureTimeMs() <= to && !f.getJpeg().isEmpty()
                                && out.size() < config.maxFrames()) {
                            out.add(f);
                        }
                    } catch (MalformedMessageException skipped) {
                        // dead-lettered upstream; not part of any clip
                    }
                }
            }
        }
        return out;
    }

    /** The frames' own rate, from their capture times (10 when they do not tell). */
    static double fps(List<Frame> frames) {
        long span = frames.get(frames.size() - 1).getCaptureTimeMs() - frames.get(0).getCaptureTimeMs();
        double fps = span > 0 ? (frames.size() - 1) * 1000.0 / span : 10;
        return Math.max(1, Math.min(60, fps));
    }
}
