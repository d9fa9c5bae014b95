package io.vigil.bench;

import static io.vigil.bench.BenchSupport.writeReport;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.local.VigilLocal;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.process.Processes;
import io.vigil.proto.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The cost of streaming: one Ped2 video through the whole chain offline (the evaluator, no Kafka) and through
 * Kafka with the five packaged services ({@code vigil-local --once}), with 1, 2 and 4 virtual cameras showing
 * it at once. Streaming rates come from the record timestamps of each topic (first frame in to last record out),
 * so service start-up is not counted. A count written {@code N@F} runs N cameras paced at F frames/s each, like
 * live cameras: its latencies are what an operator waits. Not a test: run {@code bench/run-pipeline-bench.sh}.
 *
 * <pre>java -jar bench/target/vigil-bench.jar pipeline [video-dir] [yolox.onnx] [ssmtl.onnx] [cameras[@fps],...]</pre>
 */
public final class PipelineBench {

    /** Run from the project's root, as vigil-local's services are. */
    private static final String EVALUATOR = "evaluation/target/vigil-evaluation.jar";

    /** A paced run lasts this long; its latencies count from after the warm-up. */
    private static final int PACED_SECONDS = 180;
    private static final int PACED_WARM_UP_SECONDS = 60;

    private static final List<String> STAGES = List.of(Topics.DETECTIONS, Topics.SEQUENCES, Topics.OBJECT_SCORES,
            Topics.FRAME_SCORES);

    /** The evaluator's time for the video, run as its own command line with its defaults: the services' own. */
    private static double offlineSeconds(Path video, Path yolox, Path model, Path work) throws Exception {
        Path evalLog = work.resolve("offline.log");
        Process eval = new ProcessBuilder("java", "-Dai.djl.offline=true", "-jar", EVALUATOR, "--data",
                video.getParent().getParent().toString(), "--videos", video.getFileName().toString(), "--model",
                model.toString(), "--detector", "yolox", "--detector-model", yolox.toString(), "--out",
                work.resolve("offline").toString()).redirectErrorStream(true).redirectOutput(evalLog.toFile()).start();
        if (eval.waitFor() != 0) {
            throw new IllegalStateException("offline evaluation failed; see " + evalLog);
        }
        return new ObjectMapper().readTree(work.resolve("offline/report.json").toFile()).get("videos").get(0)
                .get("seconds").asDouble();
    }

    /** When each frame whose latency counts was ingested: after the warm-up, and early enough to be scored. */
    private static Map<String, Long> ingested(Map<String, List<ConsumerRecord<String, byte[]>>> topics, boolean paced,
            long firstIn) {
        long lastIn = topics.get(Topics.FRAMES).stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
        long from = paced ? firstIn + PACED_WARM_UP_SECONDS * 1000L : Long.MIN_VALUE;
        long to = paced ? lastIn - 15_000 : Long.MAX_VALUE;
        return timestamps(topics.get(Topics.FRAMES), PipelineBench::frameIndex, ConsumerRecord::timestamp, from, to);
    }

    /** Where the CPU went in a run, from its flight recordings, between {@code from} and {@code to}. */
    private static String profile(Path recordings, String label, int frames, long objects, long from, long to)
            throws Exception {
        List<JfrProfile.Process> cpu = JfrProfile.read(recordings, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
        return String.format("%n%s: %d frames, %d objects, %.0f s:%n%n", label, frames, objects, (to - from) / 1000.0)
                + JfrProfile.table(cpu, (to - from) / 1000.0, frames);
    }

    /** The main job on the video with N virtual cameras, once through or paced, to its end. */
    private static void runChain(Path video, Path yolox, Path data, RunSpec spec) throws Exception {
        // A paced camera loops the video for a while, so its latencies can be read warmed up.
        List<String> run = new ArrayList<>(spec.paced() ? List.of("--fps", spec.fps(), "--loop", "--duration",
                spec.pacedSeconds() + "s") : List.of("--once"));
        if (spec.scoreInAssembler()) {
            run.add("--score-in-assembler");
        }
        int exit = VigilLocal.run(Stream.concat(Stream.of("--source", video.toString(), "--camera", "bench",
                "--cameras", Integer.toString(spec.cameras()), "--detector", "yolox", "--model", yolox.toString(),
                "--kafka-port", "0", "--data-dir", data.toString(), "--fresh", "--home", "."), run.stream())
                .toArray(String[]::new));
        if (exit != 0) {
            throw new IllegalStateException("vigil-local failed with " + exit + "; logs in " + data.resolve("logs"));
        }
    }

    /**
     * One row of the bench: {@code N[@F[~S]][:in-assembler]}: N cameras, paced at F frames/s for S seconds (default
     * {@link #PACED_SECONDS}), scored by the anomaly-scorer or by the assembler in its own process.
     */
    record RunSpec(int cameras, String fps, int pacedSeconds, boolean scoreInAssembler) {
        private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile(
                "(\\d+)(?:@([0-9.]+)(?:~(\\d+)s?)?)?(:in-assembler)?");

        static RunSpec parse(String text) {
            var m = FORM.matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("a run is N[@F[~S]][:in-assembler], e.g. 4, 1@10~720:in-assembler; got "
                        + text);
            }
            return new RunSpec(Integer.parseInt(m.group(1)), m.group(2) == null ? "0" : m.group(2),
                    m.group(3) == null ? PACED_SECONDS : Integer.parseInt(m.group(3)), m.group(4) != null);
        }

        boolean paced() {
            return !fps.equals("0");
        }

        String label() {
            return cameras + (paced() ? " paced at " + fps + " frames/s for " + pacedSeconds + " s" : "")
                    + (scoreInAssembler ? ", scored in the assembler" : "");
        }
    }

    /** What the broker wrote per frame ingested, by topic (its log segments: records, batches and indexes' data). */
    static String brokerBytes(Path logDirs, int frames) throws Exception {
        Map<String, Long> bytes = new java.util.TreeMap<>();
        for (Map.Entry<Path, String> partition : CommitTimes.partitionDirectories(logDirs).entrySet()) {
            try (Stream<Path> files = Files.list(partition.getKey())) {
                for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                    bytes.merge(partition.getValue(), Files.size(f), Long::sum);
                }
            }
        }
        long all = bytes.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder out = new StringBuilder(String.format("%nBytes the broker wrote, per frame ingested (%d frames): "
                + "**%.1f kB** in all%n%n| topic | kB per frame |%n|---|---|%n", frames, all / 1000.0 / frames));
        bytes.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.append(String.format("| %s | %.1f |%n", e.getKey(), e.getValue() / 1000.0 / frames)));
        return out.toString();
    }

    /**
     * Every record of the frames, the stages' and the events' topics; of the sequences only their keys and timestamps
     * (12 minutes of one camera's sequences are 5 GB of crops).
     */
    private static Map<String, List<ConsumerRecord<String, byte[]>>> readTopics(String bootstrap) throws Exception {
        Map<String, List<ConsumerRecord<String, byte[]>>> topics = new HashMap<>();
        Map<String, Object> client = Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        for (String t : Stream.concat(Stream.of(Topics.FRAMES, Topics.ANOMALY_EVENTS), STAGES.stream()).toList()) {
            topics.put(t, TopicSnapshot.readAll(client, t, Duration.ofMinutes(2), t.equals(Topics.SEQUENCES)
                    ? PipelineBench::withoutValue : r -> r));
        }
        return topics;
    }

    /** The record without its value and headers (a header is a view of the whole fetched buffer, and would keep it). */
    private static ConsumerRecord<String, byte[]> withoutValue(ConsumerRecord<String, byte[]> r) {
        return new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                r.serializedKeySize(), r.serializedValueSize(), r.key(), null,
                new org.apache.kafka.common.header.internals.RecordHeaders(), r.leaderEpoch());
    }

    private static String report(int frames, Path video, Path model, StringBuilder table, StringBuilder profiles) {
        return "Pipeline benchmark, " + LocalDateTime.now().withNano(0) + "\n\n" + frames + " frames of UCSD Ped2 "
                + video.getFileName() + ", YOLOX-Nano with the detector's default thresholds, the trained SSMTL model "
                + model.getFileName() + ", 2 CPU cores shared by the broker and all services. Offline = the evaluator "
                + "(decode, detect, sequences, score, frame scores; no Kafka). Streaming = `vigil-local --once` with N "
                + "virtual cameras showing the video at once; rates from record timestamps (start-up not counted). The file is "
                + "ingested at once, so every stage works through a backlog: the second half of the frame scores shows the "
                + "warmed-up rate. A row paced at F frames/s publishes each camera's frames at that rate, like a live "
                + "camera, looping the video for as long as the row says: its latencies and its CPU, counted for frames "
                + "ingested after " + PACED_WARM_UP_SECONDS + " s of warm-up (the steady state), are what an operator "
                + "waits for and what a camera costs. A row scored in the assembler runs the assembler with "
                + "`--score-in-assembler`: no anomaly-scorer, no vigil.sequences. "
                + "Stage rate = its output per second from the first frame in to its last record; the frame score "
                + "latency includes the alert-sink's 9-frame smoothing look-ahead and the assembler's 3-frame window; it ends "
                + "when a read_committed consumer could read the frame score (its transaction's commit marker in the "
                + "broker's log). In brackets, from the frame score record's own timestamp: Kafka Streams stamps an output "
                + "with the time of the input that completed it, so that shows the waiting for later frames but neither "
                + "processing nor commits. Events are timed by their commit markers too. "
                + "Every child JVM runs a flight recording (JFR, profile settings). Command: "
                + "bench/run-pipeline-bench.sh\n\n" + table
                + "\n## Where the CPU goes, and the bytes\n\nPer process, from the flight recordings, counted from the first frame "
                + "in to the last frame score out (paced: the steady state; start-up excluded, the JIT compilers' warm-up "
                + "included in an unpaced run: it is short). Then the bytes the broker wrote, by topic. ONNX "
                + "Runtime's own threads are not Java threads, so they count in the process but not in its busiest "
                + "threads.\n" + profiles;
    }

    static void run(Path video, Path yolox, Path model, String cameraCounts) throws Exception {
        Path work = Files.createTempDirectory("vigil-pipeline-bench-");
        int frames;
        try (var s = Files.list(video)) {
            frames = (int) s.filter(p -> p.toString().endsWith(".jpg")).count();
        }

        double offlineFps = frames / offlineSeconds(video, yolox, model, work);

        StringBuilder table = new StringBuilder("| cameras | frames | end to end (first frame in → last frame score out) | "
                + "second half of the frame scores | detector | assembler | scorer | alert-sink | frame → frame score latency "
                + "p50 / p95 / p99 | OPEN event after its first frame's score (after the frame) |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        table.append(String.format("| offline, no Kafka | %d | %.1f frames/s | | | | | | | |%n", frames, offlineFps));
        StringBuilder profiles = new StringBuilder();
        double singleCamera = 0;
        for (String n : cameraCounts.split(",")) {
            RunSpec spec = RunSpec.parse(n);
            int cameras = spec.cameras();
            String fps = spec.fps();
            String label = spec.label();
            Path data = work.resolve("cameras-" + n.trim());
            // Every child JVM (broker, services) records where its CPU goes, read back for the profile tables.
            Path recordings = Files.createDirectories(work.resolve("jfr-" + n.trim()));
            System.setProperty(Processes.JVM_OPTIONS, "-XX:StartFlightRecording=filename=" + recordings
                    + "/,settings=profile,dumponexit=true");
            boolean paced = spec.paced();
            runChain(video, yolox, data, spec);
            try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                    Topics.DEFAULTS, Duration.ofSeconds(120)))) {
                Map<String, List<ConsumerRecord<String, byte[]>>> topics = readTopics(broker.bootstrapServers());
                long firstIn = topics.get(Topics.FRAMES).stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
                Map<String, Long> frameIn = ingested(topics, paced, firstIn);
                Map<String, Long> scored = timestamps(topics.get(Topics.FRAME_SCORES), PipelineBench::scoredFrameIndex,
                        ConsumerRecord::timestamp, Long.MIN_VALUE, Long.MAX_VALUE);
                CommitTimes commits = CommitTimes.read(data.resolve("kafka/kafka-logs"),
                        List.of(Topics.FRAME_SCORES, Topics.ANOMALY_EVENTS));
                Map<String, Long> seen = timestamps(topics.get(Topics.FRAME_SCORES), PipelineBench::scoredFrameIndex,
                        commits::visibleAt, Long.MIN_VALUE, Long.MAX_VALUE);
                long lastOut = topics.get(Topics.FRAME_SCORES).stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
                int total = topics.get(Topics.FRAME_SCORES).size();
                double e2e = total / ((lastOut - firstIn) / 1000.0);
                if (cameras == 1 && fps.equals("0")) {
                    singleCamera = e2e;
                }
                table.append(String.format("| %s | %d | %.1f frames/s (%.2f× offline%s) | %s | %s | %s | %s | %s | %s | %s |%n",
                        label, total, e2e, e2e / offlineFps,
                        cameras == 1 || singleCamera == 0 ? "" : String.format(", %.2f× 1 camera", e2e / singleCamera),
                        secondHalf(topics.get(Topics.FRAME_SCORES)),
                        stageRate(topics, Topics.DETECTIONS, firstIn, null), spec.scoreInAssembler() ? "scores itself"
                                : stageRate(topics, Topics.SEQUENCES, firstIn, "objects"),
                        stageRate(topics, Topics.OBJECT_SCORES, firstIn, "objects"), stageRate(topics, Topics.FRAME_SCORES, firstIn, null),
                        latency(frameIn, seen) + " (record timestamps: " + latency(frameIn, scored) + ")",
                        eventLatency(topics.get(Topics.ANOMALY_EVENTS), commits::visibleAt, frameIn, seen)));
                // Paced: the CPU of the steady state, from the end of the warm-up to the last frame whose latency counts.
                long from = paced ? frameIn.values().stream().mapToLong(Long::longValue).min().orElse(firstIn) : firstIn;
                long to = paced ? frameIn.values().stream().mapToLong(Long::longValue).max().orElse(lastOut) : lastOut;
                int counted = paced ? frameIn.size() : total;
                long objects = topics.get(Topics.OBJECT_SCORES).stream().filter(r -> r.timestamp() >= from
                        && r.timestamp() <= to).count();
                profiles.append(profile(recordings, label, counted, objects, from, to));
                profiles.append(brokerBytes(data.resolve("kafka/kafka-logs"), topics.get(Topics.FRAMES).size()));
            }
            // After each row, so that a row that fails keeps the rows before it (a steady-state run is 12 minutes a row).
            writeReport("pipeline.md", report(frames, video, model, table, profiles));
        }
    }

    /** The rate of the second half of the frame scores: the chain drains its backlog warmed up (JIT, caches). */
    private static String secondHalf(List<ConsumerRecord<String, byte[]>> scores) {
        long[] t = scores.stream().mapToLong(ConsumerRecord::timestamp).sorted().toArray();
        int half = t.length / 2;
        return String.format("%.1f frames/s", (t.length - half) / Math.max(0.001, (t[t.length - 1] - t[half]) / 1000.0));
    }

    private static String stageRate(Map<String, List<ConsumerRecord<String, byte[]>>> topics, String topic, long firstIn,
            String unit) {
        List<ConsumerRecord<String, byte[]>> rs = topics.get(topic);
        long last = rs.stream().mapToLong(ConsumerRecord::timestamp).max().orElse(firstIn);
        return String.format("%.1f %s/s", rs.size() / Math.max(0.001, (last - firstIn) / 1000.0), unit == null ? "frames" : unit);
    }

    /** Each record's timestamp by {@code camera|frameIndex}, for records with a timestamp in [from, to]. */
    private static Map<String, Long> timestamps(List<ConsumerRecord<String, byte[]>> records,
            java.util.function.ToLongFunction<ConsumerRecord<String, byte[]>> frameIndex,
            java.util.function.ToLongFunction<ConsumerRecord<String, byte[]>> time, long from, long to) {
        Map<String, Long> out = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.timestamp() >= from && r.timestamp() <= to) {
                out.put(r.key() + "|" + frameIndex.applyAsLong(r), time.applyAsLong(r));
            }
        }
        return out;
    }

    private static long frameIndex(ConsumerRecord<String, byte[]> frame) {
        return io.vigil.proto.serde.VigilSerdes.FRAME.parse(frame).getFrameIndex();
    }

    private static long scoredFrameIndex(ConsumerRecord<String, byte[]> score) {
        return io.vigil.proto.serde.VigilSerdes.FRAME_SCORE.parse(score).getFrameIndex();
    }

    /** Per frame ingested in the window: its frame score's timestamp minus the frame's. */
    private static String latency(Map<String, Long> frameIn, Map<String, Long> scored) {
        List<Long> delays = new ArrayList<>();
        frameIn.forEach((key, in) -> {
            Long out = scored.get(key);
            if (out != null) {
                delays.add(out - in);
            }
        });
        return delays.isEmpty() ? "?" : percentiles(delays);
    }

    /**
     * Per OPEN event: when it could be read ({@code seen}) minus the frame score's of the event's first frame (what the alert-sink
     * adds: the smoothing look-ahead, the minimum duration), and minus the frame's own (the whole chain); with more
     * than four events, the percentiles of both.
     */
    static String eventLatency(List<ConsumerRecord<String, byte[]>> events,
            java.util.function.ToLongFunction<ConsumerRecord<String, byte[]>> seen, Map<String, Long> frameIn,
            Map<String, Long> scored) {
        List<Long> afterScore = new ArrayList<>();
        List<Long> afterFrame = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : events) {
            var event = io.vigil.proto.serde.VigilSerdes.ANOMALY_EVENT.parse(r);
            String key = event.getCameraId() + "|" + event.getStartFrameIndex();
            if (event.getState() == io.vigil.proto.v1.AnomalyEvent.State.OPEN && scored.containsKey(key) && frameIn.containsKey(key)) {
                afterScore.add(seen.applyAsLong(r) - scored.get(key));
                afterFrame.add(seen.applyAsLong(r) - frameIn.get(key));
            }
        }
        if (afterScore.isEmpty()) {
            return "no event";
        }
        if (afterScore.size() <= 4) {
            List<String> each = new ArrayList<>();
            for (int i = 0; i < afterScore.size(); i++) {
                each.add(String.format("%.1f s (%.1f s)", afterScore.get(i) / 1000.0, afterFrame.get(i) / 1000.0));
            }
            return String.join(", ", each);
        }
        return String.format("%d events, p50 / p95 / p99: %s (%s)", afterScore.size(), percentiles(afterScore),
                percentiles(afterFrame));
    }

    /** p50 / p95 / p99 of milliseconds, in seconds. */
    static String percentiles(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return String.format("%.1f / %.1f / %.1f s", sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get((int) (sorted.size() * 0.95)) / 1000.0, sorted.get((int) (sorted.size() * 0.99)) / 1000.0);
    }

    private PipelineBench() {
    }
}
