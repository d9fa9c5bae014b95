package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.kafka.TopicSnapshot;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.broker.LocalKafkaCluster;
import io.vigil.local.process.ServiceProcess;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Faults against the packaged services on a real broker while Ped2 test video 02 streams through: the detector,
 * the assembler and one of two scorer instances (one consumer group) are killed with SIGKILL mid-stream and
 * restarted, and the broker itself is restarted. Every stage promises exactly once to read_committed readers:
 * afterwards every frame has one detections message, every detection one sequence, every sequence one score,
 * every frame one frame score, and both scorers did part of the work. The same on a three-broker cluster with one
 * broker killed and restarted.
 */
class FaultToleranceIT {

    private static final String CAMERA = PackagedChain.PED2_CAMERA;

    /** Under target/, kept after a failure: the services' logs are in logs/. */
    private final Path data = Path.of("target/fault-tolerance-it").toAbsolutePath();
    private final Path home = Path.of("..").toAbsolutePath().normalize();

    @Test
    void killedServicesAndARestartedBrokerLoseAndRepeatNothing() throws Exception {
        deleteRecursively(data);
        int kafkaPort = LocalKafkaBroker.freePort();
        LocalKafkaBroker.Config brokerConfig = new LocalKafkaBroker.Config(data.resolve("kafka"), kafkaPort,
                LocalKafkaBroker.freePort(), Topics.DEFAULTS, Duration.ofSeconds(120));
        LocalKafkaBroker broker = LocalKafkaBroker.start(brokerConfig);
        Map<String, ServiceProcess> running = new LinkedHashMap<>();
        try {
            Map<String, ServiceSpec> specs = specs(broker.bootstrapServers());
            startAll(specs, running);
            Counts counts = new Counts(broker.bootstrapServers());
            await(counts, () -> counts.get(Topics.DETECTIONS) >= 40, "40 detections");
            restart(running, specs, "object-detector");
            await(counts, () -> counts.get(Topics.SEQUENCES) >= 300, "300 sequences");
            restart(running, specs, "sequence-assembler");
            await(counts, () -> counts.get(Topics.OBJECT_SCORES) >= 300, "300 scores");
            restart(running, specs, "anomaly-scorer-a");
            await(counts, () -> counts.get(Topics.OBJECT_SCORES) >= 700, "700 scores");
            counts.close();
            broker.close(); // controlled shutdown mid-stream; the services keep retrying
            Thread.sleep(3000);
            broker = LocalKafkaBroker.start(brokerConfig);
            awaitDone(broker.bootstrapServers());
            assertNothingLostOrRepeated(broker.bootstrapServers(), specs);
        } finally {
            for (ServiceProcess p : running.values()) {
                p.close();
            }
            broker.close();
        }
    }

    /**
     * The test a platform team runs before trusting the chain: three KRaft brokers, every topic on all three with
     * writes needing two in sync ({@code acks=all} by every producer); one broker killed with SIGKILL mid-stream and
     * restarted later, on its own data, while the chain runs on.
     */
    @Test
    void aBrokerOfThreeKilledMidStreamLosesAndRepeatsNothing() throws Exception {
        deleteRecursively(data);
        long started = System.nanoTime();
        Map<String, ServiceProcess> running = new LinkedHashMap<>();
        try (LocalKafkaCluster cluster = LocalKafkaCluster.start(data.resolve("kafka"), 3, Topics.DEFAULTS,
                Duration.ofSeconds(180))) {
            Map<String, ServiceSpec> specs = specs(cluster.bootstrapServers());
            try {
                startAll(specs, running);
                Counts counts = new Counts(cluster.bootstrapServers());
                await(counts, () -> counts.get(Topics.DETECTIONS) >= 40, "40 detections");
                cluster.kill(1);
                long killedAt = System.nanoTime();
                await(counts, () -> counts.get(Topics.OBJECT_SCORES) >= 300, "300 scores on two brokers");
                cluster.restart(1);
                counts.close();
                awaitDone(cluster.bootstrapServers());
                assertTrue(cluster.isAlive(1), "the restarted broker runs");
                assertNothingLostOrRepeated(cluster.bootstrapServers(), specs);
                System.out.printf("three brokers, one killed: %d s in all, %d s from the kill to the last frame score%n",
                        Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                        Duration.ofNanos(System.nanoTime() - killedAt).toSeconds());
            } finally {
                for (ServiceProcess p : running.values()) {
                    p.close();
                }
            }
        }
    }

    /** The services as vigil-local runs them, on free ports, with two scorer instances in one consumer group. */
    private Map<String, ServiceSpec> specs(String bootstrap) throws IOException {
        Map<String, ServiceSpec> specs = new LinkedHashMap<>();
        for (ServiceSpec spec : LocalServices.services(PackagedChain.ped2(data, home, true), bootstrap)) {
            Map<String, String> props = PackagedChain.onFreePorts(spec.properties());
            if (spec.name().equals("anomaly-scorer")) {
                // Two instances in one consumer group; stable instance ids let a restarted one fence its zombie.
                Map<String, String> second = PackagedChain.onFreePorts(props);
                second.put("vigil.scorer.instance-id", "scorer-b");
                specs.put("anomaly-scorer-b", new ServiceSpec("anomaly-scorer", 0, second, spec.environment(), ""));
                props.put("vigil.scorer.instance-id", "scorer-a");
            }
            if (spec.name().equals("object-detector")) {
                props.put("vigil.detector.instance-id", "detector-a");
            }
            specs.put(spec.name().equals("anomaly-scorer") ? "anomaly-scorer-a" : spec.name(),
                    new ServiceSpec(spec.name(), 0, props, spec.environment(), ""));
        }
        // Ingest last, once the others run.
        ServiceSpec ingest = specs.remove("frame-ingest");
        specs.put("frame-ingest", ingest);
        return specs;
    }

    private void startAll(Map<String, ServiceSpec> specs, Map<String, ServiceProcess> running)
            throws InterruptedException {
        for (String key : specs.keySet()) {
            running.put(key, start(home, key, specs.get(key)));
            if (!key.equals("frame-ingest")) {
                Thread.sleep(key.startsWith("anomaly-scorer") ? 8000 : 3000); // start-ups one by one on 2 cores
            }
        }
    }

    /** Done when every frame has its frame score and nothing moved for 20 s (a stuck stage fails the checks). */
    private static void awaitDone(String bootstrap) throws InterruptedException {
        try (Counts after = new Counts(bootstrap)) {
            await(after, () -> after.get(Topics.FRAME_SCORES) >= 180 && after.quietFor(Duration.ofSeconds(20)),
                    "180 frame scores, then quiet");
        }
    }

    /**
     * Exactly once, stage by stage: every frame one detections message, every detection one sequence (or a dead
     * letter), every sequence one score, every frame one frame score; and both scorers did part of the work.
     */
    private void assertNothingLostOrRepeated(String bootstrap, Map<String, ServiceSpec> specs) throws Exception {
        Map<String, List<ConsumerRecord<String, byte[]>>> all = new HashMap<>();
        for (String topic : List.of(Topics.DETECTIONS, Topics.SEQUENCES, Topics.OBJECT_SCORES, Topics.FRAME_SCORES,
                Topics.DEAD_LETTER)) {
            all.put(topic, readAll(bootstrap, topic));
        }
        List<FrameDetections> detections = all.get(Topics.DETECTIONS).stream().map(VigilSerdes.FRAME_DETECTIONS::parse).toList();
        assertEquals(180, detections.size(), "one detections message per frame, none repeated");
        assertEquals(180, detections.stream().map(FrameDetections::getFrameIndex).distinct().count());
        int objects = detections.stream().mapToInt(FrameDetections::getDetectionsCount).sum();

        Set<String> sequenceKeys = new HashSet<>();
        for (ObjectSequence s : all.get(Topics.SEQUENCES).stream().map(VigilSerdes.OBJECT_SEQUENCE::parse).toList()) {
            assertTrue(sequenceKeys.add(s.getMiddleFrameIndex() + "/" + s.getObjectIndex()), "sequence twice: " + s.getMiddleFrameIndex());
        }
        int deadLetters = all.get(Topics.DEAD_LETTER).size();
        assertEquals(objects, sequenceKeys.size() + deadLetters, "every detection a sequence (" + deadLetters + " dead letters)");
        Set<String> scoreKeys = new HashSet<>();
        for (ObjectScore s : all.get(Topics.OBJECT_SCORES).stream().map(VigilSerdes.OBJECT_SCORE::parse).toList()) {
            assertTrue(scoreKeys.add(s.getMiddleFrameIndex() + "/" + s.getObjectIndex()), "scored twice: " + s.getMiddleFrameIndex());
        }
        Set<String> unscored = new TreeSet<>(sequenceKeys);
        unscored.removeAll(scoreKeys);
        assertTrue(unscored.isEmpty(), unscored.size() + " of " + sequenceKeys.size() + " sequences not scored, e.g. "
                + unscored.stream().limit(10).toList() + "; logs in " + data.resolve("logs"));
        assertEquals(sequenceKeys.size(), scoreKeys.size(), "no score for a sequence that does not exist");
        List<FrameScore> frameScores = all.get(Topics.FRAME_SCORES).stream().map(VigilSerdes.FRAME_SCORE::parse).toList();
        assertEquals(180, frameScores.size());
        assertEquals(180, frameScores.stream().map(FrameScore::getFrameIndex).distinct().count());

        double a = scored(specs.get("anomaly-scorer-a"));
        double b = scored(specs.get("anomaly-scorer-b"));
        assertTrue(b > 0, "scorer-b took part (scored " + b + "; scorer-a since its restart " + a + ")");
    }

    private ServiceProcess start(Path home, String key, ServiceSpec spec) {
        return ServiceProcess.start(key, home.resolve(spec.name() + "/target/quarkus-app/quarkus-run.jar"), spec.properties(),
                spec.environment(), data.resolve("logs/" + key + ".log"));
    }

    private void restart(Map<String, ServiceProcess> running, Map<String, ServiceSpec> specs, String key)
            throws InterruptedException {
        running.get(key).kill();
        running.put(key, start(home, key, specs.get(key)));
    }

    /** Sequences scored by a scorer instance since its (last) start, from its Prometheus metrics. */
    private static double scored(ServiceSpec spec) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:"
                + spec.managementPort() + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("vigil_scorer_sequences_total\\{[^}]*outcome=\"scored\"[^}]*} ([0-9.E+]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void await(Counts counts, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + counts);
            }
            counts.poll();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (java.nio.file.Files.exists(dir)) {
            try (var walk = java.nio.file.Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }

    /** Committed records per topic so far. */
    private static final class Counts implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, Integer> counts = new HashMap<>();
        private long lastChange = System.nanoTime();

        Counts(String bootstrap) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.DETECTIONS, Topics.SEQUENCES, Topics.OBJECT_SCORES, Topics.FRAME_SCORES)) {
                consumer.partitionsFor(topic, Duration.ofSeconds(60)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        void poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                counts.merge(r.topic(), 1, Integer::sum);
                lastChange = System.nanoTime();
            }
        }

        boolean quietFor(Duration d) {
            return System.nanoTime() - lastChange >= d.toNanos();
        }

        int get(String topic) {
            return counts.getOrDefault(topic, 0);
        }

        @Override
        public void close() {
            consumer.close();
        }

        @Override
        public String toString() {
            return counts.toString();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        return TopicSnapshot.readAll(bootstrap, topic, Duration.ofMinutes(2)).stream()
                .filter(r -> CAMERA.equals(r.key()) || Topics.DEAD_LETTER.equals(topic)).toList();
    }
}
