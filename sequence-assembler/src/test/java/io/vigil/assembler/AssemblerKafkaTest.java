package io.vigil.assembler;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.TopicReader;
import java.net.URL;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The assembler service on a real broker, fed a Ped2 test video with its real YOLOX detections. */
@QuarkusTest
@TestProfile(AssemblerKafkaTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
class AssemblerKafkaTest {

    /** The management interface (its own port, under /q/): health and metrics. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("kafka-streams.state.dir", Files.createTempDirectory("assembler-it").toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void everyDetectionOfAPed2VideoBecomesExactlyOneSequence() throws Exception {
        Ped2Detections ped2 = new Ped2Detections("ped2-02", "02", 40);
        int objects = ped2.objectCount(0, 40);
        assertTrue(objects > 100, "YOLOX finds people in every frame: " + objects);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 40; i++) {
                Frame f = ped2.frames.get(i);
                producer.send(new ProducerRecord<>(Topics.FRAMES, f.getCameraId(), f.toByteArray()));
                if (i >= 4) { // detections lag the frames, as from a real detector
                    FrameDetections d = ped2.detections.get(i - 4);
                    producer.send(new ProducerRecord<>(Topics.DETECTIONS, d.getCameraId(), d.toByteArray()));
                }
            }
            for (int i = 36; i < 40; i++) {
                FrameDetections d = ped2.detections.get(i);
                producer.send(new ProducerRecord<>(Topics.DETECTIONS, d.getCameraId(), d.toByteArray()));
            }
        }
        List<ObjectSequence> sequences = TopicReader.readKey(KafkaBrokerResource.bootstrapServers(), Topics.SEQUENCES,
                "ped2-02", objects, Duration.ofSeconds(90)).stream().map(VigilSerdes.OBJECT_SEQUENCE::parse).toList();
        assertEquals(objects, sequences.size(), "one sequence per detection, no more");
        Set<String> ids = new HashSet<>();
        for (ObjectSequence s : sequences) {
            assertTrue(ids.add(s.getMiddleFrameIndex() + "/" + s.getObjectIndex()), "duplicate " + s.getMiddleFrameIndex());
            assertEquals(7, s.getSequenceLength());
            assertEquals(7 * 64 * 64 * 3, s.getPixels().size());
            assertEquals(s.getDetection(), ped2.detections.get((int) s.getMiddleFrameIndex()).getDetections(s.getObjectIndex()));
            assertEquals(s.getMiddleFrameIndex() < 3 || s.getMiddleFrameIndex() > 36, s.getPadded());
        }
        given().when().get(management + "health/ready").then().statusCode(200).body("status", equalTo("UP"));
        String metrics = given().when().get(management + "metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("vigil_assembler_sequences_total"), metrics);
    }
}
