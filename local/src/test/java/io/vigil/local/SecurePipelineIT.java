package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.evaluation.EvaluateMain;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.FrameScore;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The five packaged services against a broker whose only client listener is SASL_SSL with client certificates
 * required ({@code vigil-local --secure}): every service connects with the settings from its config file, the frames
 * flow through to frame scores, clients without a certificate or without TLS are refused, and no secret is in a log.
 */
class SecurePipelineIT {

    private static final String CAMERA = "secure-cam";
    private static final int FRAMES = 40;

    @TempDir
    Path data;

    @TempDir
    Path clip;

    @Test
    void everyServiceTalksSaslSslWithClientCertificatesAndNoSecretIsLogged() throws Exception {
        Path video = SharedData.ped2TestVideo("02");
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        Path home = Path.of("..").toAbsolutePath().normalize();
        try (Stream<Path> files = Files.list(video)) {
            for (Path f : files.sorted().limit(FRAMES).toList()) {
                Files.createSymbolicLink(clip.resolve(f.getFileName()), f);
            }
        }
        VigilLocal.Options options = new VigilLocal.Options(clip.toString(), CAMERA, true, null, 0, data, true, home, "yolox",
                Optional.of(yolox)).secured();
        assertEquals(0, VigilLocal.run(options), "vigil-local --secure --once; service logs in " + data.resolve("logs"));

        LocalSecurity security = LocalSecurity.createOrLoad(data.resolve("tls"));
        Path clientFile = data.resolve("tls/kafka-client.properties");
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(clientFile), "the services' client secrets are private to their user");
        Properties serviceSettings = new Properties();
        try (var r = Files.newBufferedReader(clientFile)) {
            serviceSettings.load(r);
        }
        assertEquals("SASL_SSL", serviceSettings.getProperty("kafka.security.protocol"));
        assertEquals("SASL_SSL", serviceSettings.getProperty("kafka-streams.security.protocol"));
        assertEquals("SCRAM-SHA-512", serviceSettings.getProperty("kafka.sasl.mechanism"), "as against Strimzi");

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120), Optional.of(security)))) {
            Map<String, Object> client = broker.clientConfig();
            // Read the way the evaluator's --frame-scores-from reads a secured broker: with the tools' client file.
            Map<String, Object> tool = EvaluateMain.kafkaClientConfig(Map.of("--frame-scores-from", broker.bootstrapServers(),
                    "--kafka-config", data.resolve("tls/client.properties").toString()));
            List<FrameScore> scores = TopicSnapshot.readAll(tool, Topics.FRAME_SCORES, Duration.ofMinutes(1)).stream()
                    .filter(r -> CAMERA.equals(r.key())).map(VigilSerdes.FRAME_SCORE::parse).toList();
            Set<Long> frames = new HashSet<>();
            scores.forEach(s -> frames.add(s.getFrameIndex()));
            assertEquals(FRAMES, scores.size(), "one frame score per frame, through all five services");
            assertEquals(FRAMES, frames.size());
            int sequences = read(client, Topics.SEQUENCES, 1).size();
            assertTrue(sequences > 0, "objects were detected and assembled");
            assertEquals(sequences, read(client, Topics.OBJECT_SCORES, sequences).size(), "every sequence scored");

            // The listener refuses clients without TLS, and TLS clients without a certificate.
            assertRefused(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
            Map<String, Object> noCertificate = new HashMap<>(client);
            noCertificate.keySet().removeIf(k -> k.startsWith("ssl.keystore") || k.equals("ssl.key.password"));
            assertRefused(noCertificate);
            Map<String, Object> wrongPassword = new HashMap<>(client);
            wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"" + LocalSecurity.CLIENT_USER + "\" password=\"wrong\";");
            assertRefused(wrongPassword);
        }

        List<Path> logs = new java.util.ArrayList<>();
        try (Stream<Path> walk = Files.walk(data.resolve("logs"))) {
            walk.filter(Files::isRegularFile).forEach(logs::add);
        }
        logs.add(data.resolve("kafka/broker.log"));
        assertEquals(6, logs.size(), "five service logs and the broker's: " + logs);
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            for (String secret : security.secrets()) {
                assertFalse(text.contains(secret), log + " contains a secret");
            }
        }
    }

    private static void assertRefused(Map<String, Object> clientConfig) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 6000);
        try (Admin admin = Admin.create(props)) {
            assertThrows(Exception.class, () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS),
                    "the broker answered a client with " + props.keySet());
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(Map<String, Object> client, String topic, int expected) {
        return TopicReader.read(client, topic, r -> CAMERA.equals(r.key()), expected, Duration.ofSeconds(60),
                Duration.ofSeconds(2));
    }
}
