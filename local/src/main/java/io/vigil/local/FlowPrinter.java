package io.vigil.local;

import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Prints what flows through the Vigil topics: once a second a line per topic and camera (count, rate, frame
 * range), and every dead-letter record with its reason. Starts at the end of each topic.
 */
public final class FlowPrinter implements Runnable, AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final KafkaConsumer<String, byte[]> consumer;
    private final PrintStream out;
    private final Map<String, Window> windows = new TreeMap<>();
    /** Per camera: the index of its source's last frame, once seen, and the highest frame index with a frame score. */
    private final Map<String, Long> lastFrameOfSource = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> lastFrameScored = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile long totalFrames;
    private volatile long totalDetections;
    private volatile long totalSequences;
    private volatile long totalScores;
    private volatile long totalFrameScores;
    private volatile long totalEvents;
    private Thread thread;

    /** @param clientConfig bootstrap servers and, for a secured broker, its TLS and SASL settings */
    public FlowPrinter(Map<String, Object> clientConfig, PrintStream out) {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "vigil-local-printer-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.out = out;
        consumer.subscribe(Topics.DEFAULTS.stream().map(Topics.TopicSpec::name).toList());
    }

    /** Polls until partitions are assigned, so nothing published after this returns is missed. */
    public void awaitAssignment(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100));
        }
        // Resolve the "latest" positions now, before any service publishes.
        consumer.assignment().forEach(consumer::position);
    }

    /** Prints from a thread of its own until {@link #close()}. */
    public void start() {
        thread = new Thread(this, "flow-printer");
        thread.setDaemon(true);
        thread.start();
    }

    public long totalFrames() {
        return totalFrames;
    }

    public long totalDetections() {
        return totalDetections;
    }

    public long totalSequences() {
        return totalSequences;
    }

    public long totalScores() {
        return totalScores;
    }

    public long totalFrameScores() {
        return totalFrameScores;
    }

    public long totalEvents() {
        return totalEvents;
    }

    /**
     * Waits until every frame seen has its detections message, every camera whose source ended has a frame score for
     * its last frame (the alert-sink scores a camera's last frames when it goes idle), and the downstream topics have
     * been quiet for {@code quiet}; or until nothing moved for {@code idle}.
     */
    public void awaitCaughtUp(Duration quiet, Duration idle) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < idle.toNanos()) {
            long progress = totalDetections + totalSequences + totalScores + totalFrameScores + totalEvents;
            if (progress != last) {
                last = progress;
                lastChange = System.nanoTime();
            } else if (totalDetections >= totalFrames && scoredToTheEnd() && System.nanoTime() - lastChange >= quiet.toNanos()) {
                return;
            }
            Thread.sleep(200);
        }
    }

    private boolean scoredToTheEnd() {
        return lastFrameOfSource.entrySet().stream().allMatch(e -> lastFrameScored.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    @Override
    public void run() {
        long nextReport = System.nanoTime() + 1_000_000_000L;
        while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                record(r);
            }
            if (System.nanoTime() >= nextReport) {
                report();
                nextReport = System.nanoTime() + 1_000_000_000L;
            }
        }
        report();
        consumer.close();
    }

    /** What flowed through the run, for its last line. */
    String totals() {
        return totalFrames() + " frames, " + totalDetections() + " detections messages, " + totalSequences()
                + " object sequences, " + totalScores() + " object scores, " + totalFrameScores() + " frame scores and "
                + totalEvents() + " event announcements flowed";
    }

    private void record(ConsumerRecord<String, byte[]> r) {
        if (Topics.DEAD_LETTER.equals(r.topic())) {
            out.printf("[%s] %-20s %-16s REJECTED by %s: %s%n", LocalTime.now().format(TIME), r.topic(), r.key(),
                    header(r, DeadLetterHeaders.STAGE), header(r, DeadLetterHeaders.REASON));
        } else if (Topics.ANOMALY_EVENTS.equals(r.topic())) {
            totalEvents++;
            readable(r, "event", () -> printEvent(r, VigilSerdes.ANOMALY_EVENT.parse(r)));
        } else {
            count(r);
        }
    }

    /** Each event announcement on a line of its own. */
    private void printEvent(ConsumerRecord<String, byte[]> r, AnomalyEvent e) {
        out.printf("[%s] %-20s %-16s %s %s frames %d..%d peak %d score %.2f, %d boxes%s%n", LocalTime.now().format(TIME),
                r.topic(), r.key(), e.getState(), e.getEventId(), e.getStartFrameIndex(), e.getEndFrameIndex(),
                e.getPeakFrameIndex(), e.getPeakScore(), e.getBoxesCount(),
                e.getThumbnailJpeg().isEmpty() ? "" : ", thumbnail " + e.getThumbnailJpeg().size() / 1024 + " kB");
    }

    /** The other topics' records, counted in their camera's window. */
    private void count(ConsumerRecord<String, byte[]> r) {
        Window w = windows.computeIfAbsent(r.topic() + "|" + r.key(), k -> new Window());
        w.count++;
        w.bytes += r.value() == null ? 0 : r.value().length;
        switch (r.topic()) {
            case Topics.DETECTIONS -> {
                totalDetections++;
                readable(r, "detections", () -> {
                    FrameDetections d = VigilSerdes.FRAME_DETECTIONS.parse(r);
                    w.objects += d.getDetectionsCount();
                    w.saw(d.getFrameIndex(), d.getDetector());
                });
            }
            case Topics.OBJECT_SCORES -> {
                totalScores++;
                readable(r, "score", () -> {
                    ObjectScore q = VigilSerdes.OBJECT_SCORE.parse(r);
                    w.saw(q.getMiddleFrameIndex(), "max score");
                    w.maxScore = Math.max(w.maxScore, q.getScore());
                });
            }
            case Topics.FRAME_SCORES -> {
                totalFrameScores++;
                readable(r, "frame score", () -> {
                    FrameScore q = VigilSerdes.FRAME_SCORE.parse(r);
                    w.saw(q.getFrameIndex(), "max smoothed");
                    lastFrameScored.merge(r.key(), q.getFrameIndex(), Math::max);
                    w.maxScore = Math.max(w.maxScore, q.getSmoothedScore());
                });
            }
            case Topics.SEQUENCES -> {
                totalSequences++;
                readable(r, "sequence", () -> {
                    ObjectSequence q = VigilSerdes.OBJECT_SEQUENCE.parse(r);
                    w.saw(q.getMiddleFrameIndex(), q.getSequenceLength() + "x" + q.getCropSize() + "x" + q.getCropSize());
                });
            }
            case Topics.FRAMES -> {
                totalFrames++;
                readable(r, "frame", () -> {
                    Frame f = VigilSerdes.FRAME.parse(r);
                    w.saw(f.getFrameIndex(), f.getWidth() + "x" + f.getHeight());
                    w.ended |= f.getEndOfSource();
                    if (f.getEndOfSource()) {
                        lastFrameOfSource.put(r.key(), f.getFrameIndex());
                    }
                });
            }
            default -> {
                // a topic this print-out does not describe: counted in its window only
            }
        }
    }

    /** Runs {@code tally}; a record it cannot read is printed as such and does not stop the print-out. */
    private void readable(ConsumerRecord<String, byte[]> r, String what, Runnable tally) {
        try {
            tally.run();
        } catch (RuntimeException e) {
            out.printf("[%s] %-20s %-16s unreadable %s at offset %d: %s%n", LocalTime.now().format(TIME), r.topic(), r.key(),
                    what, r.offset(), e.getMessage());
        }
    }

    private void report() {
        String now = LocalTime.now().format(TIME);
        windows.forEach((key, w) -> {
            if (w.count == 0) {
                return;
            }
            String[] parts = key.split("\\|", 2);
            String frames = w.lastIndex >= 0 ? String.format("frames %d..%d %s", w.firstIndex, w.lastIndex, w.size) : "";
            if (Topics.OBJECT_SCORES.equals(parts[0]) || Topics.FRAME_SCORES.equals(parts[0])) {
                frames += String.format(" %.2f", w.maxScore);
            }
            if (Topics.DETECTIONS.equals(parts[0])) {
                frames += String.format("  %.1f objects/frame", w.objects / (double) w.count);
            }
            out.printf("[%s] %-20s %-16s %4d msgs  avg %5.1f kB  %s%s%n", now, parts[0], parts[1], w.count,
                    w.bytes / 1024.0 / w.count, frames, w.ended ? "  (end of source)" : "");
        });
        windows.clear();
        out.flush();
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Stops printing and waits until the consumer has left, so the broker can be stopped after it. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(10_000);
        }
    }

    private static final class Window {
        long count;
        long bytes;
        long firstIndex = Long.MAX_VALUE;
        long lastIndex = -1;
        String size = "";
        boolean ended;
        long objects;
        float maxScore = Float.NEGATIVE_INFINITY;

        void saw(long index, String sizeText) {
            firstIndex = Math.min(firstIndex, index);
            lastIndex = Math.max(lastIndex, index);
            size = sizeText;
        }
    }

    /** The topics printed, for the start-up banner. */
    public static List<String> topics() {
        return Topics.DEFAULTS.stream().map(Topics.TopicSpec::name).toList();
    }
}
