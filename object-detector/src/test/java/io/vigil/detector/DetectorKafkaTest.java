package io.vigil.detector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The detector service with the real YOLOX-Nano against a real broker: two cameras, a corrupt frame, garbage. */
@QuarkusTest
@TestProfile(DetectorKafkaTest.YoloxProfile.class)
@WithTestResource(KafkaBrokerResource.class)
class DetectorKafkaTest {

    /** The management interface (its own port, under /q/): health and metrics. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static final int FRAMES = 12;

    public static class YoloxProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "vigil.detector.backend", "yolox",
                    "vigil.detector.model", SharedData.root().resolve("models/yolox-nano-coco/yolox_nano.onnx").toString(),
                    "vigil.detector.max-batch", "4",
                    "vigil.detector.intra-op-threads", "2");
        }
    }

    static boolean produced;

    @BeforeAll
    static void produceFrames() throws Exception {
        if (produced) {
            return;
        }
        Path a = SharedData.ped2TestVideo("01");
        Path b = SharedData.ped2TestVideo("02");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < FRAMES; i++) {
                send(producer, frame("cam-a", i, Files.readAllBytes(a.resolve(String.format("%03d.jpg", 100 + i)))));
                send(producer, frame("cam-b", i, Files.readAllBytes(b.resolve(String.format("%03d.jpg", 100 + i)))));
            }
            send(producer, frame("cam-a", FRAMES, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00, 0x01}));
            producer.send(new ProducerRecord<>(Topics.FRAMES, "cam-a", new byte[] {0x0A, (byte) 0xFF, 0x7F})).get();
            send(producer, frame("cam-a", FRAMES + 1, Files.readAllBytes(a.resolve("150.jpg"))));
        }
        produced = true;
    }

    private static Frame frame(String camera, long index, byte[] jpeg) {
        return Frame.newBuilder().setCameraId(camera).setFrameIndex(index).setCaptureTimeMs(1000 + index * 100)
                .setWidth(360).setHeight(240).setJpeg(ByteString.copyFrom(jpeg)).setSource("test").build();
    }

    private static void send(KafkaProducer<String, byte[]> producer, Frame f) throws Exception {
        producer.send(new ProducerRecord<>(Topics.FRAMES, f.getCameraId(), f.toByteArray())).get();
    }

    private static List<FrameDetections> detectionsOf(String camera, int expected) {
        return TopicReader.readKey(KafkaBrokerResource.bootstrapServers(), Topics.DETECTIONS, camera, expected,
                Duration.ofSeconds(90)).stream().map(VigilSerdes.FRAME_DETECTIONS::parse).toList();
    }

    @Test
    void everyGoodFrameGetsExactlyOneDetectionsMessageInOrder() {
        List<FrameDetections> a = detectionsOf("cam-a", FRAMES + 1);
        List<FrameDetections> b = detectionsOf("cam-b", FRAMES);
        assertEquals(FRAMES + 1, a.size(), "12 frames, then (after the corrupt one and the garbage) frame 13");
        assertEquals(FRAMES, b.size());
        for (int i = 0; i < FRAMES; i++) {
            assertEquals(i, a.get(i).getFrameIndex());
            assertEquals(i, b.get(i).getFrameIndex());
        }
        assertEquals(FRAMES + 1, a.get(FRAMES).getFrameIndex(), "the stream went on past the bad input");
        FrameDetections first = a.get(0);
        assertEquals("yolox:yolox_nano.onnx", first.getDetector());
        assertEquals(360, first.getWidth());
        assertEquals(1000, first.getCaptureTimeMs());
        long people = first.getDetectionsList().stream().filter(d -> d.getClassId() == 0).count();
        assertTrue(people >= 5, "people in Ped2 01 frame 100: " + people);
        for (Detection d : first.getDetectionsList()) {
            assertEquals(80, d.getClassProbabilitiesCount());
            // The default thresholds: 0.5 for people, 0.3 for every other class.
            assertTrue(d.getConfidence() >= (d.getClassId() == 0 ? 0.5f : 0.3f), d.toString());
            assertTrue(d.getBox().getX2() <= 360 && d.getBox().getY2() <= 240);
        }
    }

    @Test
    void corruptJpegAndGarbageGoToTheDeadLetterTopic() {
        List<ConsumerRecord<String, byte[]>> dead = TopicReader.read(KafkaBrokerResource.bootstrapServers(),
                Topics.DEAD_LETTER, r -> "object-detector".equals(header(r, DeadLetterHeaders.STAGE)), 2,
                Duration.ofSeconds(90), Duration.ofSeconds(1));
        assertEquals(2, dead.size());
        ConsumerRecord<String, byte[]> corrupt = dead.stream()
                .filter(r -> header(r, DeadLetterHeaders.REASON).contains("cannot be decoded")).findFirst().orElseThrow();
        ConsumerRecord<String, byte[]> garbage = dead.stream()
                .filter(r -> header(r, DeadLetterHeaders.REASON).contains("Cannot parse vigil.v1.Frame")).findFirst().orElseThrow();
        assertEquals(Frame.class, VigilSerdes.FRAME.parse(corrupt).getClass(), "the corrupt frame is kept as it came");
        assertEquals(Topics.FRAMES, header(garbage, DeadLetterHeaders.SOURCE));
        assertEquals("13", header(garbage, DeadLetterHeaders.SOURCE_OFFSET));
        assertEquals(3, garbage.value().length, "the original bytes are kept");
    }

    @Test
    void healthAndMetricsReportTheModelAndCounts() {
        detectionsOf("cam-b", FRAMES);
        given().when().get(management + "health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("yolox:yolox_nano.onnx"));
        given().when().get(management + "health/live").then().statusCode(200).body("status", equalTo("UP"));
        String metrics = given().when().get(management + "metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("vigil_detector_frames_total{outcome=\"detected\"} 25.0"), metrics);
        assertTrue(metrics.contains("vigil_detector_frames_total{outcome=\"rejected\"} 2.0"), metrics);
        assertTrue(metrics.contains("vigil_detector_inference_seconds_count"), metrics);
        // device=auto on a machine without CUDA: the model runs on the CPU, and the gauge the alert rules read says so.
        String fallback = OnnxSessionFactory.cudaProviderBuilt() ? "vigil_onnx_cuda_fallback " : "vigil_onnx_cuda_fallback 1.0";
        assertTrue(metrics.contains(fallback), metrics);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
