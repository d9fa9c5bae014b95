package io.vigil.ingest.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** frame-ingest against a real Kafka broker: four cameras in one instance, one of them broken, one corrupt. */
@QuarkusTest
@TestProfile(IngestTestProfile.class)
@WithTestResource(KafkaBrokerResource.class)
class FrameIngestKafkaTest {

    /** The management interface (its own port, under /q/): health and metrics. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    private static List<Frame> framesOf(String camera, int expected) {
        return TopicReader.readKey(KafkaBrokerResource.bootstrapServers(), Topics.FRAMES, camera, expected,
                Duration.ofSeconds(60)).stream().map(VigilSerdes.FRAME::parse).toList();
    }

    @Test
    void ped2FolderArrivesCompleteInOrderWithDecodableJpegs() throws Exception {
        Path folder = SharedData.ped2TestVideo("01");
        List<Frame> frames = framesOf(IngestTestProfile.PED2, 180);
        assertEquals(180, frames.size(), "exactly one message per frame, no duplicates");
        ImageCodec codec = new ImageCodec();
        for (int i = 0; i < 180; i++) {
            Frame f = frames.get(i);
            assertEquals(i, f.getFrameIndex(), "in order, index = position in the folder");
            assertEquals(IngestTestProfile.PED2, f.getCameraId());
            RgbImage image = codec.decode(f.getJpeg().toByteArray());
            assertEquals(360, image.width());
            assertEquals(240, image.height());
            assertEquals(i == 179, f.getEndOfSource(), "only the last frame ends the source");
            if (i > 0) {
                assertEquals(100, f.getCaptureTimeMs() - frames.get(i - 1).getCaptureTimeMs(), "10 fps");
            }
        }
        assertArrayEquals(Files.readAllBytes(folder.resolve("042.jpg")), frames.get(42).getJpeg().toByteArray());
        assertTrue(frames.get(0).getSource().endsWith("testing/01"), frames.get(0).getSource());
    }

    @Test
    void corruptFrameGoesToDeadLetterAndTheRestArrive() {
        List<Frame> frames = framesOf(IngestTestProfile.CORRUPT, 3);
        assertEquals(List.of(0L, 1L, 3L), frames.stream().map(Frame::getFrameIndex).toList());
        assertTrue(frames.get(2).getEndOfSource());

        List<ConsumerRecord<String, byte[]>> dead = TopicReader.readKey(KafkaBrokerResource.bootstrapServers(),
                Topics.DEAD_LETTER, IngestTestProfile.CORRUPT, 1, Duration.ofSeconds(30));
        assertEquals(1, dead.size());
        String reason = header(dead.get(0), DeadLetterHeaders.REASON);
        assertTrue(reason.contains("corrupt frame file") && reason.contains("2.jpg"), reason);
        assertEquals("frame-ingest", header(dead.get(0), DeadLetterHeaders.STAGE));
        assertEquals(40, dead.get(0).value().length, "the corrupt bytes are kept for inspection");
    }

    @Test
    void missingSourceFailsItsCameraOnlyWithAClearError() {
        List<ConsumerRecord<String, byte[]>> dead = TopicReader.readKey(KafkaBrokerResource.bootstrapServers(),
                Topics.DEAD_LETTER, IngestTestProfile.MISSING, 1, Duration.ofSeconds(30));
        assertEquals(1, dead.size());
        String reason = header(dead.get(0), DeadLetterHeaders.REASON);
        assertTrue(reason.contains("no such video file or image folder") && reason.contains("camera-7.mp4"), reason);
        assertTrue(framesOf(IngestTestProfile.MISSING, 0).isEmpty());
        // The other cameras of the same instance were not affected.
        assertEquals(30, framesOf(IngestTestProfile.SYNTHETIC, 30).size());
    }

    @Test
    void healthReportsEachCameraAndStaysUpWithOneBrokenCamera() {
        framesOf(IngestTestProfile.SYNTHETIC, 30);
        given().when().get(management + "health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body(containsString("FAILED"))
                .body(containsString("no such video file"));
        given().when().get(management + "health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void prometheusMetricsCountFramesAndErrorsPerCamera() {
        framesOf(IngestTestProfile.PED2, 180);
        String metrics = given().when().get(management + "metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("vigil_ingest_frames_published_total{camera=\"ped2-01\"} 180.0"), metrics);
        assertTrue(metrics.contains("vigil_ingest_errors_total{camera=\"corrupt-folder\",kind=\"bad-frame\"} 1.0"), metrics);
        assertTrue(metrics.contains("vigil_ingest_errors_total{camera=\"missing-file\",kind=\"source\"} 1.0"), metrics);
        assertTrue(metrics.contains("vigil_ingest_decode_fps{camera=\"ped2-01\"}"), metrics);
        assertFalse(metrics.contains("vigil_ingest_frames_published_total{camera=\"synthetic-1\"}"),
                "the disabled default camera does not run");
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
