package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.vigil.evaluation.EvaluateMain;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
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
import java.util.TreeSet;
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
 * broker's data and compared with the offline evaluator on the same video. Poison records on every topic a stage
 * reads go to the dead-letter topic and change nothing else.
 */
class PipelineEndToEndIT {

    private static final String CAMERA = "ped2-02";

    @TempDir
    Path data;

    @TempDir
    Path offline;

    @Test
    void ped2Video02FlowsThroughAllServicesAndMatchesTheOfflineEvaluator() throws Exception {
        Path video = SharedData.ped2TestVideo("02");
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        Path home = Path.of("..").toAbsolutePath().normalize();
        for (String service : List.of("frame-ingest", "object-detector", "sequence-assembler", "anomaly-scorer", "alert-sink")) {
            assertTrue(Files.exists(home.resolve(service + "/target/quarkus-app/quarkus-run.jar")), service + " is not packaged");
        }
        int kafkaPort = LocalKafkaBroker.freePort();
        Poison poison = new Poison("127.0.0.1:" + kafkaPort);
        poison.start();
        int exit = VigilLocal.run(new VigilLocal.Options(video.toString(), CAMERA, true, null, kafkaPort, data, true, home,
                "yolox", Optional.of(yolox)));
        assertEquals(0, exit, "vigil-local --once; service logs in " + data.resolve("logs"));
        poison.join(10_000);
        assertEquals(Poison.RECORDS, poison.sent(), "poison records sent: " + poison.failure());

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
            List<ConsumerRecord<String, byte[]>> deadLetters = read(bootstrap, Topics.DEAD_LETTER, Poison.DEAD_LETTERS.size());
            // Every poison record was rejected by every stage that reads its topic, and nothing else stopped.
            Set<String> rejectedPoison = new TreeSet<>();
            for (ConsumerRecord<String, byte[]> r : deadLetters) {
                if (r.key() != null && r.key().startsWith(Poison.KEY)) {
                    rejectedPoison.add(header(r, DeadLetterHeaders.STAGE) + " " + header(r, DeadLetterHeaders.SOURCE) + " "
                            + r.key());
                }
            }
            assertEquals(Poison.DEAD_LETTERS, rejectedPoison, "dead letters of the poison records");
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
            assertTrue(events.stream().anyMatch(e -> e.getState() == AnomalyEvent.State.CLOSED
                    && e.getStartFrameIndex() <= 179 && e.getEndFrameIndex() >= 94 && !e.getThumbnailJpeg().isEmpty()),
                    "an event overlapping the labelled anomaly (frames 94..179): " + events.stream()
                            .map(e -> e.getState() + " " + e.getEventId() + " " + e.getStartFrameIndex() + ".." + e.getEndFrameIndex())
                            .toList());
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * Writes, as soon as the broker has its topics (before the first frame), two poison records on each topic a stage
     * reads: bytes that are no Protobuf message (key {@code poison}) and a message that parses but breaks the contract
     * (key {@code poison-cam}: a frame that declares 100000x100000 pixels, a box that is NaN, a sequence short of
     * pixels, a score that is not a number).
     */
    static final class Poison extends Thread {
        static final String KEY = "poison";
        static final String CAMERA_KEY = "poison-cam";
        static final int RECORDS = 8;
        /** stage, source topic, key of every dead letter the poison must produce. */
        static final Set<String> DEAD_LETTERS = new TreeSet<>();

        static {
            Map<String, List<String>> readers = Map.of(Topics.FRAMES, List.of("object-detector", "sequence-assembler", "alert-sink"),
                    Topics.DETECTIONS, List.of("sequence-assembler", "alert-sink"), Topics.SEQUENCES, List.of("anomaly-scorer"),
                    Topics.OBJECT_SCORES, List.of("alert-sink"));
            readers.forEach((topic, stages) -> stages.forEach(stage -> {
                DEAD_LETTERS.add(stage + " " + topic + " " + KEY);
                DEAD_LETTERS.add(stage + " " + topic + " " + CAMERA_KEY);
            }));
        }

        private final String bootstrap;
        private volatile int sent;
        private volatile Exception failure;

        Poison(String bootstrap) {
            super("poison-writer");
            setDaemon(true);
            this.bootstrap = bootstrap;
        }

        int sent() {
            return sent;
        }

        Exception failure() {
            return failure;
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
            p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
            Detection nan = Detection.newBuilder().setBox(Box.newBuilder().setX1(Float.NaN).setY1(1).setX2(20).setY2(40))
                    .setConfidence(0.9f).build();
            Detection person = Detection.newBuilder().setBox(Box.newBuilder().setX1(10).setY1(10).setX2(40).setY2(90))
                    .setConfidence(0.9f).build();
            Map<String, byte[]> invalid = Map.of(
                    Topics.FRAMES, Frame.newBuilder().setCameraId(CAMERA_KEY).setFrameIndex(0).setWidth(100_000).setHeight(100_000)
                            .setJpeg(ByteString.copyFromUtf8("not even a jpeg")).build().toByteArray(),
                    Topics.DETECTIONS, FrameDetections.newBuilder().setCameraId(CAMERA_KEY).setFrameIndex(0).setWidth(360)
                            .setHeight(240).addDetections(nan).build().toByteArray(),
                    Topics.SEQUENCES, ObjectSequence.newBuilder().setCameraId(CAMERA_KEY).setMiddleFrameIndex(3).setDetection(person)
                            .setCropSize(64).setSequenceLength(7).addAllFrameIndices(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L))
                            .setPixels(ByteString.copyFrom(new byte[100])).setFrameWidth(360).setFrameHeight(240).build().toByteArray(),
                    Topics.OBJECT_SCORES, ObjectScore.newBuilder().setCameraId(CAMERA_KEY).setMiddleFrameIndex(3).setDetection(person)
                            .setScore(Float.NaN).setFrameWidth(360).setFrameHeight(240).build().toByteArray());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                for (String topic : List.of(Topics.FRAMES, Topics.DETECTIONS, Topics.SEQUENCES, Topics.OBJECT_SCORES)) {
                    producer.send(new ProducerRecord<>(topic, KEY, new byte[] {(byte) 0xff, 0x13, 0x37, 0x00, 0x42})).get();
                    sent++;
                    producer.send(new ProducerRecord<>(topic, CAMERA_KEY, invalid.get(topic))).get();
                    sent++;
                }
            } catch (Exception e) {
                failure = e;
            }
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, String topic, int expected) {
        return TopicReader.read(bootstrap, topic, r -> CAMERA.equals(r.key()) || Topics.DEAD_LETTER.equals(topic), expected,
                Duration.ofSeconds(60), Duration.ofSeconds(2));
    }
}
