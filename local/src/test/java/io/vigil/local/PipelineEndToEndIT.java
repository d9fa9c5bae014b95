package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.evaluation.EvaluateMain;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain as users run it: a real broker and the five packaged services as separate processes
 * ({@code vigil-local --once}), Ped2 test video 02 through frame-ingest, then the topics read back from the
 * broker's data and compared with the offline evaluator on the same video. Meanwhile a seeded generator writes a
 * thousand hostile records to each of the seven topics ({@link HostileRecords}): each one that fails the checks goes
 * to the dead-letter topic from every stage that reads it, the others stay under their own cameras, every service
 * stays live and within its memory bound, and the camera's frame scores still equal the offline evaluator's.
 */
class PipelineEndToEndIT {

    private static final String CAMERA = "ped2-02";

    @TempDir
    Path data;

    @TempDir
    Path offline;

    @TempDir
    Path python;

    @Test
    void ped2Video02FlowsThroughAllServicesAndMatchesTheOfflineEvaluator() throws Exception {
        Path video = SharedData.ped2TestVideo("02");
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        Path home = Path.of("..").toAbsolutePath().normalize();
        for (String service : List.of("frame-ingest", "object-detector", "sequence-assembler", "anomaly-scorer", "alert-sink")) {
            assertTrue(Files.exists(home.resolve(service + "/target/quarkus-app/quarkus-run.jar")), service + " is not packaged");
        }
        int kafkaPort = LocalKafkaBroker.freePort();
        // At 5 frames/s, a slow camera: the hostile records are all written while the video streams (36 s). The seven
        // thousand take about 3 s once the services run.
        LocalOptions options = new LocalOptions(new LocalOptions.Cameras(video.toString(), CAMERA, 1, 5, false),
                new LocalOptions.Detection("yolox", Optional.of(yolox)), LocalOptions.Learning.NONE,
                new LocalOptions.Run(true, null, home), LocalOptions.Site.of(data, true, kafkaPort));
        Map<String, Integer> managementPorts = new LinkedHashMap<>();
        LocalServices.services(options, "unused:9092").forEach(spec -> managementPorts.put(spec.name(), spec.managementPort()));
        HostileWriter hostile = new HostileWriter("127.0.0.1:" + kafkaPort, managementPorts,
                Files.readAllBytes(video.resolve("000.jpg")));
        hostile.start();
        ServiceWatch watch = new ServiceWatch(managementPorts);
        watch.start();
        int exit = VigilLocal.run(options);
        watch.finish();
        keepLogs(data.resolve("logs"), Path.of("target/pipeline-e2e-logs"));
        // The job's own failure first (a service that did not start ends it early, with the writer still busy).
        assertEquals(0, exit, "vigil-local --once; service logs in target/pipeline-e2e-logs");
        assertTrue(hostile.sent() == hostile.records().size() || !hostile.isAlive(),
                "the hostile records were still being written when the job ended: " + hostile.sent() + " acknowledged in "
                        + hostile.elapsed() + ", " + hostile.failures());
        hostile.join(60_000);
        assertEquals(hostile.records().size(), hostile.sent(), "hostile records sent: " + hostile.failures());
        assertEquals(List.of(), watch.down, "every service stayed live");
        System.out.printf("hostile records per topic: %d (%s), all written in %s; largest resident memory per service (MB): %s%n",
                HostileWriter.PER_TOPIC, HostileRecords.KINDS, hostile.elapsed(), watch.maxRssKb.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue() / 1024).toList());
        for (Map.Entry<String, Long> rss : watch.maxRssKb.entrySet()) {
            assertTrue(rss.getValue() < MAX_RSS_KB, rss.getKey() + " used " + rss.getValue() / 1024 + " MB, over "
                    + MAX_RSS_KB / 1024 + " MB");
        }
        assertEquals(managementPorts.keySet(), watch.maxRssKb.keySet(), "every service's memory was seen");

        Map<String, String> args = new LinkedHashMap<>(Map.of("--data", SharedData.require("datasets/ucsd-ped2").toString(),
                "--videos", "02", "--model", home.resolve("models/ssmtl-ped2-shallow-narrow.onnx").toString(), "--detector", "yolox",
                "--detector-model", yolox.toString())); // otherwise the services' defaults, as the evaluator's
        args.put("--threads", "2");
        args.put("--out", offline.toString());
        assertEquals(0, EvaluateMain.run(args));
        JsonNode report = new ObjectMapper().readTree(offline.resolve("report.json").toFile());
        JsonNode offlineScores = report.get("videos").get(0).get("frameScores");
        int offlineSequences = report.get("videos").get(0).get("sequences").asInt();

        // The broker's data outlives the run: start it again and read what the services committed.
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            String bootstrap = broker.bootstrapServers();
            List<FrameDetections> detections = read(bootstrap, Topics.DETECTIONS, 180).stream()
                    .map(VigilSerdes.FRAME_DETECTIONS::parse).toList();
            assertEquals(180, detections.size(), "one detections message per frame");
            Set<Long> frames = new HashSet<>();
            detections.forEach(d -> frames.add(d.getFrameIndex()));
            assertEquals(180, frames.size());
            int objects = detections.stream().mapToInt(FrameDetections::getDetectionsCount).sum();

            List<ObjectSequence> sequences = read(bootstrap, Topics.SEQUENCES, objects).stream()
                    .map(VigilSerdes.OBJECT_SEQUENCE::parse).toList();
            // Every hostile record that fails the checks was dead-lettered by every stage that reads its topic, as it
            // came (key and bytes); the others went on under their own cameras, and nothing else stopped.
            Map<String, Integer> expectedDeadLetters = new java.util.HashMap<>();
            for (HostileRecords.Hostile h : hostile.records()) {
                if (!h.passesChecks()) {
                    for (String stage : HostileRecords.READERS.getOrDefault(h.topic(), List.of())) {
                        expectedDeadLetters.merge(deadLetterKey(stage, h.topic(), h.key(), h.value()), 1, Integer::sum);
                    }
                }
            }
            int expectedCount = expectedDeadLetters.values().stream().mapToInt(Integer::intValue).sum();
            List<ConsumerRecord<String, byte[]>> deadLetters = read(bootstrap, Topics.DEAD_LETTER, expectedCount);
            Map<String, Integer> missing = new java.util.HashMap<>(expectedDeadLetters);
            for (ConsumerRecord<String, byte[]> r : deadLetters) {
                missing.computeIfPresent(deadLetterKey(header(r, DeadLetterHeaders.STAGE), header(r, DeadLetterHeaders.SOURCE),
                        r.key(), r.value()), (k, n) -> n > 1 ? n - 1 : null);
            }
            assertEquals(Map.of(), missing, "hostile records not dead-lettered (stage, topic, key, bytes)");
            Map<String, Long> bySource = new java.util.TreeMap<>();
            deadLetters.forEach(r -> bySource.merge(header(r, DeadLetterHeaders.STAGE) + " <- "
                    + header(r, DeadLetterHeaders.SOURCE), 1L, Long::sum));
            System.out.printf("dead letters: %d in all, %d of records that fail the checks; by stage and topic: %s%n",
                    deadLetters.size(), expectedCount, bySource);
            long rejected = deadLetters.stream().filter(r -> CAMERA.equals(r.key())).count();
            assertEquals(objects, sequences.size() + rejected, "every detection a sequence (or a dead letter)");
            assertEquals(offlineSequences, sequences.size(), "the same objects as offline");
            List<ObjectScore> scores = read(bootstrap, Topics.OBJECT_SCORES, sequences.size()).stream()
                    .map(VigilSerdes.OBJECT_SCORE::parse).toList();
            assertEquals(sequences.size(), scores.size(), "every sequence a score");

            List<FrameScore> frameScores = read(bootstrap, Topics.FRAME_SCORES, 180).stream()
                    .map(VigilSerdes.FRAME_SCORE::parse).toList();
            assertEquals(180, frameScores.size());
            for (FrameScore f : frameScores) {
                double expected = offlineScores.get((int) f.getFrameIndex()).asDouble();
                assertEquals(expected, f.getSmoothedScore(), 1e-3 * Math.max(1, Math.abs(expected)),
                        "frame " + f.getFrameIndex() + ": streamed vs offline");
            }

            // The evaluator reading the broker sees the same frame scores (and evaluates them).
            Map<String, String> fromBroker = new LinkedHashMap<>(args);
            fromBroker.put("--frame-scores-from", bootstrap);
            fromBroker.put("--camera-prefix", "ped2-");
            fromBroker.put("--out", offline.resolve("streamed").toString());
            assertEquals(0, EvaluateMain.run(fromBroker));
            JsonNode streamed = new ObjectMapper().readTree(offline.resolve("streamed/report.json").toFile());
            assertEquals(report.get("evaluation").get("microAuc").get("all").asDouble(),
                    streamed.get("evaluation").get("microAuc").get("all").asDouble(), 1e-3, "same AUC from the broker");

            List<AnomalyEvent> events = read(bootstrap, Topics.ANOMALY_EVENTS, 1).stream()
                    .map(VigilSerdes.ANOMALY_EVENT::parse).toList();
            // The bike's event, with what made it: a cue of the model's and the shares of all of them.
            assertTrue(events.stream().anyMatch(e -> e.getState() == AnomalyEvent.State.CLOSED
                    && e.getStartFrameIndex() <= 179 && e.getEndFrameIndex() >= 94 && !e.getThumbnailJpeg().isEmpty()
                    && e.getCueSharesMap().containsKey(e.getCause())
                    && Math.abs(e.getCueSharesMap().values().stream().mapToDouble(Float::doubleValue).sum() - 1) < 1e-4),
                    "an event overlapping the labelled anomaly (frames 94..179): " + events.stream()
                            .map(e -> e.getState() + " " + e.getEventId() + " " + e.getStartFrameIndex() + ".." + e.getEndFrameIndex()
                                    + " " + e.getCause() + " " + e.getCueSharesMap())
                            .toList());

            // A downstream team's consumer in another language reads the same events, past the hostile records.
            List<String> output = PythonEventsConsumer.readAll(home, bootstrap, CAMERA, python);
            List<String> printed = output.stream().filter(l -> l.matches("[A-Z_0-9]+ " + CAMERA + ":.*")).toList();
            System.out.println("the Python example consumer printed: " + printed);
            assertTrue(printed.stream().anyMatch(l -> l.startsWith("OPEN " + CAMERA + ":")), output.toString());
            assertTrue(printed.stream().anyMatch(l -> l.matches("CLOSED " + CAMERA + ":\\d+ camera=" + CAMERA
                    + " frames=\\d+\\.\\.\\d+ peak=\\d+ score=[0-9.]+ cause=\\w+ cues=\\[.+]")), printed.toString());
            assertEquals(events.size(), printed.size(), "every event, once: " + printed);
            long emptyRecords = hostile.records().stream().filter(h -> h.topic().equals(Topics.ANOMALY_EVENTS)
                    && CAMERA.equals(h.key()) && (h.value() == null || h.value().length == 0)).count();
            assertEquals(emptyRecords, output.stream().filter(l -> l.startsWith("skipped an empty record")).count(),
                    "the camera's null and empty hostile records skipped, not printed as events");
            List<String> keys = PythonEventsConsumer.kcatKeys(bootstrap, python);
            assertEquals(events.size(), keys.stream().filter(k -> k.startsWith(CAMERA + " ")).count(), keys.toString());
        }
    }

    /** Largest resident memory a service may reach under the hostile records (its heap is the JVM's default). */
    static final long MAX_RSS_KB = 1_536L * 1024;

    /** The services' logs where a CI run keeps them (the data directory is deleted with the test). */
    /** Copies a job's logs out of its temporary folder, which JUnit deletes, to where a failed run can be read. */
    static void keepLogs(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (var logs = Files.list(from)) {
            for (Path log : logs.toList()) {
                Files.copy(log, to.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** A dead letter's identity: stage, source topic, key and a digest of the bytes (null stays null). */
    private static String deadLetterKey(String stage, String topic, String key, byte[] value) {
        return stage + " " + topic + " " + (key == null ? "<null key>" : key) + " "
                + (value == null ? "<null value>" : java.util.HexFormat.of().formatHex(sha256(value)));
    }

    private static byte[] sha256(byte[] value) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(value);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * Writes, once the broker has its topics and every service is ready (while the video streams), the
     * {@link HostileRecords} of a fixed seed: {@link #PER_TOPIC} records on each of the seven topics. Written while five
     * services started on 2 cores, the official CI saw produce requests wait past their timeout and, twice, batches
     * expire unacknowledged; hostile input reaches a running chain.
     */
    static final class HostileWriter extends Thread {
        static final int PER_TOPIC = 1_000;
        static final long SEED = 27;

        private final String bootstrap;
        private final Map<String, Integer> managementPorts;
        private final List<HostileRecords.Hostile> records;
        private final AtomicInteger sent = new AtomicInteger();
        private final Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile long writingSince;
        private volatile long writtenAt;

        HostileWriter(String bootstrap, Map<String, Integer> managementPorts, byte[] jpeg) {
            super("hostile-writer");
            setDaemon(true);
            this.bootstrap = bootstrap;
            this.managementPorts = new LinkedHashMap<>(managementPorts); // in start order: frame-ingest last
            this.records = new HostileRecords(SEED, jpeg, CAMERA).generate(PER_TOPIC);
        }

        List<HostileRecords.Hostile> records() {
            return records;
        }

        int sent() {
            return sent.get();
        }

        /** From the topics' creation to the last acknowledgement, or until now. */
        Duration elapsed() {
            long since = writingSince;
            return since == 0 ? Duration.ZERO : Duration.ofNanos((writtenAt == 0 ? System.nanoTime() : writtenAt) - since);
        }

        /** What could not be written, by topic and error. */
        Map<String, Integer> failures() {
            return failures;
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000); // a batch that cannot be written fails, named
            p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20); // fewer, larger requests to a broker that shares 2 cores
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            try {
                awaitTopics();
                awaitServicesReady();
                writingSince = System.nanoTime();
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                    for (HostileRecords.Hostile h : records) {
                        producer.send(new ProducerRecord<>(h.topic(), h.key(), h.value()), (metadata, e) -> {
                            if (e == null) {
                                sent.incrementAndGet();
                            } else {
                                failures.merge(h.topic() + ": " + e, 1, Integer::sum);
                            }
                        });
                    }
                    producer.flush();
                    writtenAt = System.nanoTime();
                }
            } catch (Exception | AssertionError e) { // a service not ready in time, too
                failures.merge("writer: " + e, 1, Integer::sum);
            }
        }

        /** Until vigil-local has created all seven topics with leaders (a record sent earlier waits on metadata). */
        private void awaitTopics() throws InterruptedException {
            Set<String> topics = new HashSet<>();
            records.forEach(h -> topics.add(h.topic()));
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000))) {
                while (System.nanoTime() < deadline) {
                    try {
                        boolean led = admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                                .allMatch(t -> t.partitions().stream().allMatch(part -> part.leader() != null && !part.leader().isEmpty()));
                        if (led) {
                            return;
                        }
                    } catch (ExecutionException | TimeoutException e) {
                        // the broker or the topics are not there yet
                    }
                    Thread.sleep(200);
                }
            }
            throw new IllegalStateException("the topics were not created within 3 minutes");
        }

        /** Until every service answers its readiness check with 200, within 3 minutes in all. */
        private void awaitServicesReady() throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            for (Map.Entry<String, Integer> service : managementPorts.entrySet()) {
                HealthProbe.await(service.getKey(), service.getValue(), "ready",
                        Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
    }

    /**
     * Watches the services while the job runs, as a platform team's monitoring would: each one's liveness (any DOWN
     * after it was first UP is kept) and its resident memory (the largest VmRSS seen).
     */
    static final class ServiceWatch extends Thread {
        private final Map<String, Integer> managementPorts;
        private final Map<String, Long> maxRssKb = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, Boolean> wasLive = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> down = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean running = true;

        ServiceWatch(Map<String, Integer> managementPorts) {
            super("service-watch");
            setDaemon(true);
            this.managementPorts = managementPorts;
        }

        @Override
        public void run() {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            while (running) {
                ProcessHandle.current().descendants().forEach(ph -> ph.info().commandLine().ifPresent(cmd -> {
                    for (String service : managementPorts.keySet()) {
                        if (cmd.contains("/" + service + "/target/quarkus-app/quarkus-run.jar")) {
                            maxRssKb.merge(service, rssKb(ph.pid()), Math::max);
                        }
                    }
                }));
                managementPorts.forEach((service, port) -> {
                    try {
                        var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                                + "/q/health/live")).timeout(Duration.ofSeconds(5)).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() == 200) {
                            wasLive.put(service, true);
                        } else if (wasLive.getOrDefault(service, false)) {
                            down.add(service + ": " + answer.body());
                        }
                    } catch (java.io.IOException | InterruptedException e) {
                        // starting or stopped
                    }
                });
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static long rssKb(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (java.io.IOException | NumberFormatException e) {
                // the process ended
            }
            return 0;
        }

        void finish() throws InterruptedException {
            running = false;
            join(10_000);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, String topic, int expected) {
        return TopicReader.read(bootstrap, topic, r -> CAMERA.equals(r.key()) || Topics.DEAD_LETTER.equals(topic), expected,
                Duration.ofSeconds(60), Duration.ofSeconds(2));
    }
}
