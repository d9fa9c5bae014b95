package io.vigil.scorer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.common.scoring.TinySsmtlModel;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Per-camera models on a real broker: a camera with a registered model is scored by it and only it, cameras sharing a
 * scene share its model, the others keep the default; registration and rollback reach a running scorer; every score
 * names its model; nothing is scored twice or lost, even with a cache of one model that keeps evicting; objects in a
 * NOT_SCORED zone are published unscored.
 */
@QuarkusTest
@TestProfile(ScorerRegistryKafkaTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
class ScorerRegistryKafkaTest {

    /** The management interface (its own port, under /q/): health and metrics. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "vigil-scorer-registry-test-" + ProcessHandle.current().pid());
    static final Path DEFAULT_MODEL = DIR.resolve("default.onnx");
    static final Path REGISTRY = DIR.resolve("registry");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            if (!Files.exists(DEFAULT_MODEL)) {
                model("default.onnx", 0.7f);
            }
            return Map.of("vigil.scorer.model", DEFAULT_MODEL.toString(), "vigil.scorer.registry", REGISTRY.toString(),
                    "vigil.scorer.max-loaded-models", "1", "vigil.scorer.reload-interval", "200ms",
                    "vigil.scorer.calibration", "none");
        }
    }

    /** A tiny model whose arrow-of-time head always says {@code aot}: the score tells which model scored. */
    static Path model(String name, float aot) {
        try {
            Files.createDirectories(DIR);
            return TinySsmtlModel.write(DIR.resolve(name), ScorerKafkaTest.T, ScorerKafkaTest.S, aot, 0.1f, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final Map<String, Integer> sent = new HashMap<>();

    private ObjectScore send(KafkaProducer<String, byte[]> p, String camera) throws Exception {
        int middle = sent.merge(camera, 1, Integer::sum) - 1;
        p.send(new ProducerRecord<>(Topics.SEQUENCES, camera, ScorerKafkaTest.sequence(camera, middle, ScorerKafkaTest.T)
                .toByteArray())).get();
        List<ObjectScore> scores = scores(camera);
        return scores.get(scores.size() - 1);
    }

    private List<ObjectScore> scores(String camera) {
        return TopicReader.readKey(KafkaBrokerResource.bootstrapServers(), Topics.OBJECT_SCORES, camera, sent.get(camera),
                Duration.ofSeconds(60)).stream().map(VigilSerdes.OBJECT_SCORE::parse).toList();
    }

    /** Sends one sequence at a time until the camera's score is by the expected model (the reload tick is 200 ms). */
    private ObjectScore sendUntil(KafkaProducer<String, byte[]> p, String camera, Predicate<ObjectScore> expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ObjectScore last;
        do {
            last = send(p, camera);
        } while (!expected.test(last) && System.nanoTime() < deadline);
        assertTrue(expected.test(last), camera + " never got the expected model; last: " + last.getModelVersion());
        return last;
    }

    private static Predicate<ObjectScore> by(String modelPrefix) {
        return s -> s.getModelVersion().startsWith(modelPrefix);
    }

    @Test
    void eachCameraIsScoredByItsOwnModel() throws Exception {
        ModelRegistry registry = new ModelRegistry(REGISTRY);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (String camera : List.of("cam-a", "cam-b", "cam-east")) {
                ObjectScore s = send(p, camera);
                assertTrue(s.getModelVersion().startsWith("default.onnx@"), "nothing registered yet: " + s.getModelVersion());
                assertEquals(0.7f, s.getArrowOfTime(), 1e-6);
            }

            registry.register("cam-a", model("a1.onnx", 0.2f), ModelDescriptor.getDefaultInstance(), true);
            ObjectScore a1 = sendUntil(p, "cam-a", by("cam-a/v1@"));
            assertEquals(0.2f, a1.getArrowOfTime(), 1e-6, "scored by its own model");
            assertEquals(0.7f, send(p, "cam-b").getArrowOfTime(), 1e-6, "another camera keeps the default");
            assertTrue(send(p, "cam-b").getModelVersion().startsWith("default.onnx@"));

            // Two cameras of one scene share its model; with room for one loaded model, cam-a's is evicted and reloaded.
            registry.register("plaza", model("plaza1.onnx", 0.4f), ModelDescriptor.getDefaultInstance(), true);
            registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("cam-east").setScope("plaza").build());
            registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("cam west").setScope("plaza").build());
            assertEquals(0.4f, sendUntil(p, "cam-east", by("plaza/v1@")).getArrowOfTime(), 1e-6);
            assertTrue(send(p, "cam west").getModelVersion().startsWith("plaza/v1@"), "a camera id with a space, by its scene");
            assertTrue(send(p, "cam-a").getModelVersion().startsWith("cam-a/v1@"), "evicted, loaded again");

            // A new version, then a rollback, reach cam-a and nothing else.
            registry.register("cam-a", model("a2.onnx", 0.3f), ModelDescriptor.getDefaultInstance(), true);
            assertEquals(0.3f, sendUntil(p, "cam-a", by("cam-a/v2@")).getArrowOfTime(), 1e-6);
            registry.rollback("cam-a");
            assertEquals(0.2f, sendUntil(p, "cam-a", by("cam-a/v1@")).getArrowOfTime(), 1e-6);
            assertTrue(send(p, "cam-east").getModelVersion().startsWith("plaza/v1@"));
            assertTrue(send(p, "cam-b").getModelVersion().startsWith("default.onnx@"));

            // cam-b's upper-left quarter (the test objects' box centre is at 25,50 of 360x240) becomes a road.
            registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("cam-b").addIgnoreZones(IgnoreZone.newBuilder()
                    .setName("road").setMode(IgnoreMode.NOT_SCORED).addAllXy(List.of(0f, 0f, 0.5f, 0f, 0.5f, 0.5f, 0f, 0.5f)))
                    .build());
            ObjectScore ignored = sendUntil(p, "cam-b", s -> s.getIgnoreZone().equals("road"));
            assertEquals(0f, ignored.getScore());
            assertTrue(!ignored.hasArrowOfTime() && ignored.getModelVersion().isEmpty(), "not run through a model");
            assertEquals(0.4f, send(p, "cam-east").getArrowOfTime(), 1e-6, "other cameras are scored as before");
        }

        for (String camera : sent.keySet()) {
            List<ObjectScore> scores = scores(camera);
            assertEquals(sent.get(camera), scores.size(), camera + ": every sequence scored once");
            for (int i = 0; i < scores.size(); i++) {
                assertEquals(i, scores.get(i).getMiddleFrameIndex(), camera + ": in order, none twice");
            }
        }
        String metrics = given().get(management + "metrics").asString();
        assertTrue(metrics.contains("vigil_scorer_models_loaded 1.0"), "the cache holds one model");
        assertTrue(!metrics.contains("vigil_scorer_models_evictions_total 0.0"), "cam-a and plaza took turns");
    }
}
