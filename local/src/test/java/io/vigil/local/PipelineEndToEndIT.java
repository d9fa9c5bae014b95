package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.evaluation.EvaluateMain;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain as users run it: a real broker and the five packaged services as separate processes
 * ({@code vigil-local --once}), Ped2 test video 02 through frame-ingest, then the topics read back from the
 * broker's data and compared with the offline evaluator on the same video.
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
        int exit = VigilLocal.run(new VigilLocal.Options(video.toString(), CAMERA, true, null, 0, data, true, home, "yolox",
                Optional.of(yolox)));
        assertEquals(0, exit, "vigil-local --once; service logs in " + data.resolve("logs"));

        Map<String, String> args = new LinkedHashMap<>(Map.of("--data", SharedData.require("datasets/ucsd-ped2").toString(),
                "--videos", "02", "--model", home.resolve("models/ssmtl-ped2-shallow-narrow.onnx").toString(), "--detector", "yolox",
                "--detector-model", yolox.toString(), "--detector-threshold", "0.5", "--t", "3", "--calibration", "zscore",
                "--sigma", "3", "--max-lookahead", "9"));
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
            long rejected = read(bootstrap, Topics.DEAD_LETTER, 0).size();
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

    private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, String topic, int expected) {
        return TopicReader.read(bootstrap, topic, r -> CAMERA.equals(r.key()) || Topics.DEAD_LETTER.equals(topic), expected,
                Duration.ofSeconds(60), Duration.ofSeconds(2));
    }
}
