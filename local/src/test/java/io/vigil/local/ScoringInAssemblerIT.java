package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.evaluation.EvaluateMain;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.broker.LocalSecurity;
import io.vigil.proto.ServiceAccess;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.FrameScore;
import io.vigil.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment where the sequence-assembler scores in its own process ({@code vigil-local --score-in-assembler}),
 * on a broker with ACLs ({@code --secure}): Ped2 test video 02 through four services, no sequence on the broker, and
 * the same object count and frame scores as the offline evaluator; the assembler writes as its own user, which may
 * write scores and not sequences.
 */
class ScoringInAssemblerIT {

    private static final String CAMERA = "ped2-02";

    @TempDir
    Path data;

    @TempDir
    Path offline;

    @Test
    void sequencesNeverReachTheBrokerAndTheFrameScoresAreTheOfflineEvaluators() throws Exception {
        Path video = SharedData.ped2TestVideo("02");
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        Path home = Path.of("..").toAbsolutePath().normalize();
        LocalOptions options = new LocalOptions(LocalOptions.Cameras.of(video.toString(), CAMERA),
                new LocalOptions.Detection("yolox", Optional.of(yolox)), LocalOptions.Learning.NONE,
                new LocalOptions.Run(true, null, home, LocalOptions.Scoring.IN_ASSEMBLER), LocalOptions.Site.of(data, true, 0))
                .secured();
        assertEquals(List.of("object-detector", "sequence-assembler", "alert-sink", "frame-ingest"),
                LocalServices.services(options, "unused:9092").stream().map(ServiceSpec::name).toList());
        assertEquals(0, VigilLocal.run(options), "vigil-local --score-in-assembler --secure --once; logs in "
                + data.resolve("logs"));
        Properties assemblerSettings = new Properties();
        try (var r = Files.newBufferedReader(data.resolve("tls/kafka-client-sequence-assembler.properties"))) {
            assemblerSettings.load(r);
        }
        assertTrue(assemblerSettings.getProperty("kafka-streams.sasl.jaas.config")
                .contains("username=\"" + ServiceAccess.SCORING_ASSEMBLER + "\""), "the assembler's own user for this deployment");

        Map<String, String> args = new LinkedHashMap<>(Map.of("--data", SharedData.require("datasets/ucsd-ped2").toString(),
                "--videos", "02", "--model", home.resolve(LocalServices.DEFAULT_MODEL).toString(), "--detector", "yolox",
                "--detector-model", yolox.toString(), "--threads", "2", "--out", offline.toString()));
        assertEquals(0, EvaluateMain.run(args));
        JsonNode report = new ObjectMapper().readTree(offline.resolve("report.json").toFile()).get("videos").get(0);

        LocalSecurity security = LocalSecurity.createOrLoad(data.resolve("tls"));
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120), Optional.of(security)))) {
            Map<String, Object> client = broker.clientConfig();
            assertEquals(List.of(), read(client, Topics.SEQUENCES), "no sequence on the broker");
            assertEquals(report.get("sequences").asInt(), read(client, Topics.OBJECT_SCORES).size(),
                    "a score for each object the evaluator scored");
            List<FrameScore> frameScores = read(client, Topics.FRAME_SCORES).stream().map(VigilSerdes.FRAME_SCORE::parse)
                    .toList();
            assertEquals(180, frameScores.size());
            for (FrameScore f : frameScores) {
                double expected = report.get("frameScores").get((int) f.getFrameIndex()).asDouble();
                assertEquals(expected, f.getSmoothedScore(), 1e-3 * Math.max(1, Math.abs(expected)),
                        "frame " + f.getFrameIndex() + ": streamed vs offline");
            }

            // Least privilege for this deployment's user: scores yes, sequences no.
            Map<String, Object> assembler = new HashMap<>(security.clientConfig(ServiceAccess.SCORING_ASSEMBLER));
            assembler.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            Optional<Throwable> sequence = SecurePipelineIT.produce(assembler, Topics.SEQUENCES);
            assertTrue(sequence.orElseThrow() instanceof TopicAuthorizationException, sequence.toString());
            assertFalse(SecurePipelineIT.produce(assembler, Topics.OBJECT_SCORES).isPresent());
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(Map<String, Object> client, String topic) {
        return TopicSnapshot.readAll(client, topic, Duration.ofMinutes(1)).stream().filter(r -> CAMERA.equals(r.key())).toList();
    }
}
