package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.kafka.KafkaClientConfig;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.broker.LocalSecurity;
import io.vigil.proto.ServiceAccess;
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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
        LocalOptions options = new LocalOptions(LocalOptions.Cameras.of(clip.toString(), CAMERA),
                new LocalOptions.Detection("yolox", Optional.of(yolox)), LocalOptions.Learning.NONE,
                new LocalOptions.Run(true, null, home), LocalOptions.Site.of(data, true, 0)).secured();
        assertEquals(0, VigilLocal.run(options), "vigil-local --secure --once; service logs in " + data.resolve("logs"));

        LocalSecurity security = LocalSecurity.createOrLoad(data.resolve("tls"));
        for (String service : List.of("frame-ingest", "object-detector", "sequence-assembler", "anomaly-scorer", "alert-sink")) {
            Path clientFile = data.resolve("tls/kafka-client-" + service + ".properties");
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(clientFile), "the services' client secrets are private to their user");
            Properties serviceSettings = new Properties();
            try (var r = Files.newBufferedReader(clientFile)) {
                serviceSettings.load(r);
            }
            assertEquals("SASL_SSL", serviceSettings.getProperty("kafka.security.protocol"));
            assertEquals("SASL_SSL", serviceSettings.getProperty("kafka-streams.security.protocol"));
            assertEquals("SCRAM-SHA-512", serviceSettings.getProperty("kafka.sasl.mechanism"), "as against Strimzi");
            assertTrue(serviceSettings.getProperty("kafka.sasl.jaas.config").contains("username=\"vigil-" + service + "\""),
                    "each service its own principal");
        }

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120), Optional.of(security)))) {
            Map<String, Object> client = broker.clientConfig();
            // Read the way the evaluator's --frame-scores-from reads a secured broker: with the tools' client file.
            Map<String, Object> tool = KafkaClientConfig.fromFile(broker.bootstrapServers(),
                    data.resolve("tls/client.properties"));
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
            Map<String, Object> detector = new HashMap<>(security.clientConfig(ServiceAccess.OBJECT_DETECTOR));
            detector.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            Map<String, Object> wrongPassword = new HashMap<>(detector);
            wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"" + ServiceAccess.OBJECT_DETECTOR + "\" password=\"wrong\";");
            assertRefused(wrongPassword);

            // Least privilege: the detector's credentials write detections, and are refused on the alert-sink's
            // topic (a forged event or review) and on reading the sequences; KEDA's read no records at all.
            assertEquals(Optional.empty(), produce(detector, Topics.DETECTIONS));
            assertTrue(produce(detector, Topics.ANOMALY_EVENTS).orElseThrow() instanceof TopicAuthorizationException);
            assertTrue(produce(detector, Topics.FRAME_SCORES).orElseThrow() instanceof TopicAuthorizationException);
            assertThrows(TopicAuthorizationException.class, () -> readOne(detector, Topics.SEQUENCES));
            Map<String, Object> keda = new HashMap<>(security.clientConfig(ServiceAccess.KEDA));
            keda.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            assertThrows(TopicAuthorizationException.class, () -> readOne(keda, Topics.FRAMES));
            // With no Write anywhere, even its producer id is refused.
            Throwable kedaWrite = produce(keda, Topics.FRAMES).orElseThrow();
            assertTrue(kedaWrite instanceof org.apache.kafka.common.errors.AuthorizationException, kedaWrite.toString());
            try (Admin admin = Admin.create(keda)) {
                assertTrue(admin.listConsumerGroupOffsets(ServiceAccess.OBJECT_DETECTOR).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).size() > 0, "KEDA reads the detector's lag");
            }
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

    /** Sends one record with {@code client}'s credentials; the error, if the broker refused it. */
    static Optional<Throwable> produce(Map<String, Object> client, String topic) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "least-privilege", new byte[] {1})).get(30, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            return Optional.of(e.getCause());
        } catch (Exception e) {
            return Optional.of(e);
        }
    }

    /** Polls {@code topic} from the start, without a group, with {@code client}'s credentials. */
    private static void readOne(Map<String, Object> client, String topic) {
        Map<String, Object> props = new HashMap<>(client);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            consumer.poll(Duration.ofSeconds(10));
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
