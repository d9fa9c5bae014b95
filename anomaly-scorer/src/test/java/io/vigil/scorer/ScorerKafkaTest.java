package io.vigil.scorer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vigil.common.scoring.TinySsmtlModel;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.TopicReader;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The scorer on a real broker: scores with the model version, dead letters, and a hot reload losing nothing. */
@QuarkusTest
@TestProfile(ScorerKafkaTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
class ScorerKafkaTest {

    /** The management interface (its own port, under /q/): health and metrics. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static final int T = 7;
    static final int S = 8;
    /** Same path in every class loader of the test JVM (Quarkus loads the profile and the test separately). */
    static final Path MODEL = Path.of(System.getProperty("java.io.tmpdir"),
            "vigil-scorer-test-" + ProcessHandle.current().pid(), "ssmtl.onnx");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                if (!Files.exists(MODEL)) {
                    Files.createDirectories(MODEL.getParent());
                    TinySsmtlModel.write(MODEL, T, S, 0.7f, 0.1f, Map.of());
                    MODEL.toFile().deleteOnExit();
                }
                return Map.of("vigil.scorer.model", MODEL.toString(), "vigil.scorer.reload-interval", "300ms",
                        "vigil.scorer.calibration", "none");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static ObjectSequence sequence(String camera, long middle, int frames) {
        return TinySsmtlModel.sequence(camera, middle, frames, S);
    }

    private static void send(KafkaProducer<String, byte[]> p, String key, byte[] value) throws Exception {
        p.send(new ProducerRecord<>(Topics.SEQUENCES, key, value)).get();
    }

    private static List<ObjectScore> scores(int expected) {
        return TopicReader.readKey(KafkaBrokerResource.bootstrapServers(), Topics.OBJECT_SCORES, "cam", expected,
                Duration.ofSeconds(60)).stream().map(VigilSerdes.OBJECT_SCORE::parse).toList();
    }

    @Test
    void scoresDeadLettersAndHotReload() throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 5; i++) {
                send(p, "cam", sequence("cam", i, T).toByteArray());
            }
            send(p, "cam", sequence("cam", 99, 5).toByteArray()); // wrong length for the model
            send(p, "cam", new byte[] {0x0A, (byte) 0xFF});       // not a sequence
            List<ObjectScore> first = scores(5);
            assertEquals(5, first.size());
            String versionA = first.get(0).getModelVersion();
            assertTrue(versionA.startsWith("ssmtl.onnx@"), versionA);
            for (ObjectScore s : first) {
                assertEquals(0.7f, s.getArrowOfTime(), 1e-6);
                assertEquals(0.1f, s.getMotionIrregularity(), 1e-6);
                assertEquals(0.5f, s.getReconstruction(), 1e-6, "grey 0.5 against a black middle crop");
                assertEquals(0.1f, s.getDistillation(), 1e-6);
                assertEquals(0f, s.getSpeed(), 1e-9, "flat crops: no flow");
                assertEquals((0.7f + 0.1f + 0.5f + 0.1f + 0f) / 5, s.getScore(), 1e-6);
            }

            // A new model version arrives: written next to the file and moved over it.
            Path next = TinySsmtlModel.write(MODEL.resolveSibling("next.onnx"), T, S, 0.2f, 0.1f, Map.of());
            Files.move(next, MODEL, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (given().get(management + "health/ready").asString().contains(versionA) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(!given().get(management + "health/ready").asString().contains(versionA), "the new version was loaded in time");
            for (int i = 5; i < 10; i++) {
                send(p, "cam", sequence("cam", i, T).toByteArray());
            }
        }
        List<ObjectScore> all = scores(10);
        assertEquals(10, all.size(), "nothing lost, nothing scored twice");
        for (int i = 0; i < 10; i++) {
            assertEquals(i, all.get(i).getMiddleFrameIndex());
        }
        String versionB = all.get(9).getModelVersion();
        assertTrue(!versionB.equals(all.get(0).getModelVersion()), "the reload changed the version");
        assertEquals(0.2f, all.get(9).getArrowOfTime(), 1e-6);

        List<ConsumerRecord<String, byte[]>> dead = TopicReader.read(KafkaBrokerResource.bootstrapServers(), Topics.DEAD_LETTER,
                r -> true, 2, Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertEquals(2, dead.size());
        String reasons = dead.stream().map(r -> new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(),
                StandardCharsets.UTF_8)).toList().toString();
        assertTrue(reasons.contains("5 crops") && reasons.contains("vigil.v1.ObjectSequence"), reasons);
        String metrics = given().get(management + "metrics").asString();
        assertTrue(metrics.contains("vigil_scorer_sequences_total{outcome=\"scored\"} 10.0"), metrics);
        String fallback = OnnxSessionFactory.cudaProviderBuilt() ? "vigil_onnx_cuda_fallback " : "vigil_onnx_cuda_fallback 1.0";
        assertTrue(metrics.contains(fallback), metrics);
    }
}
