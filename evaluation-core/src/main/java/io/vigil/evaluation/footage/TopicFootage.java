package io.vigil.evaluation.footage;

import io.vigil.kafka.CameraPartition;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.TrainingRange;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One camera's normal footage straight from {@code vigil.frames}: the frames captured between two times, less every
 * frame within {@code eventMargin} of an anomaly event of that camera on {@code vigil.anomaly-events}. Only the
 * camera's partition is read, from the offset of the range's start time, and the frames are sampled as they arrive
 * ({@link ClipSampler}), so hours of footage take bounded memory.
 */
public final class TopicFootage implements Footage {

    /** Records are stamped when frame-ingest sends them; capture times may run a little ahead or behind. */
    private static final long CLOCK_SLACK_MS = Duration.ofMinutes(1).toMillis();

    /** Which camera, which capture times (epoch ms, inclusive), and how the frames are sampled. */
    public record Range(String cameraId, long fromMs, long toMs) {
        public Range {
            if (fromMs > toMs) {
                throw new IllegalArgumentException("range from " + Instant.ofEpochMilli(fromMs) + " is after its end "
                        + Instant.ofEpochMilli(toMs));
            }
        }
    }

    private final Map<String, Object> clientConfig;
    private final Range range;
    private final Duration eventMargin;
    private final ClipSampler sampler;
    private TrainingRange read = TrainingRange.getDefaultInstance();

    /**
     * @param clientConfig bootstrap servers and, for a secured broker, its TLS and SASL settings
     * @param eventMargin  footage this close to an anomaly event is left out; null: events are not looked at
     */
    public TopicFootage(Map<String, Object> clientConfig, Range range, Duration eventMargin, ClipSampler sampler) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.range = range;
        this.eventMargin = eventMargin;
        this.sampler = sampler;
    }

    @Override
    public List<Clip> clips(PrintStream log) {
        Reading reading = new Reading(eventMargin == null ? List.of() : eventSpans());
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            TopicPartition tp = CameraPartition.find(c, Topics.FRAMES, range.cameraId(), Duration.ofSeconds(30))
                    .orElseThrow(() -> new IllegalArgumentException("topic " + Topics.FRAMES + " does not exist"));
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            OffsetAndTimestamp start = c.offsetsForTimes(Map.of(tp, Math.max(0, range.fromMs() - CLOCK_SLACK_MS))).get(tp);
            if (start == null) {
                throw new IllegalArgumentException("no frames on " + Topics.FRAMES + " after " + Instant.ofEpochMilli(
                        range.fromMs()) + " (partition " + tp.partition() + " of camera " + range.cameraId() + ")");
            }
            c.seek(tp, start.offset());
            long lastReport = System.nanoTime();
            boolean past = false;
            while (!past && c.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.timestamp() > range.toMs() + CLOCK_SLACK_MS) {
                        past = true;
                        break;
                    }
                    if (range.cameraId().equals(r.key())) {
                        reading.take(VigilSerdes.FRAME.parse(r));
                    }
                }
                if (System.nanoTime() - lastReport > 10_000_000_000L) {
                    log.printf("%s: read up to offset %d of %d, %d usable frames, %d in events%n", Topics.FRAMES,
                            c.position(tp), end, reading.usable, reading.excludedFrames);
                    lastReport = System.nanoTime();
                }
            }
        }
        List<Clip> clips = sampler.clips();
        if (clips.isEmpty()) {
            throw new IllegalArgumentException("camera " + range.cameraId() + " has no usable footage on " + Topics.FRAMES
                    + " between " + Instant.ofEpochMilli(range.fromMs()) + " and " + Instant.ofEpochMilli(range.toMs())
                    + " (" + reading.usable + " frames outside events, " + reading.excludedFrames + " in events)");
        }
        log.printf("camera %s: %d frames between %s and %s, %d left out as part of %d anomaly events; %d frames in %d "
                + "clips kept (%d held out)%n", range.cameraId(), reading.usable + reading.excludedFrames,
                Instant.ofEpochMilli(range.fromMs()), Instant.ofEpochMilli(range.toMs()), reading.excludedFrames,
                reading.excluded.size(), sampler.framesKept(), clips.size(), clips.stream().filter(Clip::heldOut).count());
        read = TrainingRange.newBuilder().setSource("topic:" + Topics.FRAMES).setCameraId(range.cameraId())
                .setFromTimeMs(reading.first).setToTimeMs(reading.last).setFrames(sampler.framesKept())
                .setExcludedFrames(reading.excludedFrames).build();
        return clips;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The camera's frames as they are read: in range, outside the anomaly events' spans, to the sampler. */
    private final class Reading {
        final List<long[]> excluded;
        long usable;
        long excludedFrames;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;

        Reading(List<long[]> excluded) {
            this.excluded = excluded;
        }

        void take(Frame f) {
            long t = f.getCaptureTimeMs();
            if (t < range.fromMs() || t > range.toMs() || f.getJpeg().isEmpty()) {
                return;
            }
            if (inside(excluded, t)) {
                excludedFrames++;
                sampler.exclude();
            } else {
                usable++;
                sampler.accept(f);
                first = Math.min(first, t);
                last = Math.max(last, t);
            }
        }
    }

    @Override
    public TrainingRange range() {
        return read;
    }

    /** The capture-time spans of the camera's anomaly events, widened by the margin; an unclosed one has no end. */
    private List<long[]> eventSpans() {
        Map<String, long[]> byEvent = new HashMap<>(); // start, latest end, closed (1/0)
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.readCamera(clientConfig, Topics.ANOMALY_EVENTS, range.cameraId(),
                Duration.ofMinutes(5))) {
            AnomalyEvent e = VigilSerdes.ANOMALY_EVENT.parse(r);
            long end = Math.max(e.getStartTimeMs(), Math.max(e.getEndTimeMs(), e.getPeakTimeMs()));
            long closed = e.getState() == AnomalyEvent.State.CLOSED ? 1 : 0;
            byEvent.merge(e.getEventId(), new long[] {e.getStartTimeMs(), end, closed},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), Math.max(a[2], b[2])});
        }
        long margin = eventMargin.toMillis();
        return byEvent.values().stream().map(s -> new long[] {s[0] - margin, s[2] == 1 ? s[1] + margin : Long.MAX_VALUE})
                .toList();
    }

    private static boolean inside(List<long[]> spans, long t) {
        for (long[] s : spans) {
            if (t >= s[0] && t <= s[1]) {
                return true;
            }
        }
        return false;
    }
}
