package io.vigil.ingest.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vigil.ingest.source.TestVideos;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import io.vigil.vision.image.ImageCodec;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A live camera (a Matroska stream over HTTP, behind a password) that drops: its stream ends, the server refuses the
 * next two connections, then streams again. frame-ingest reconnects on its own and the camera's frames reach the
 * broker with indices that continue across the drop, each exactly once. The password reaches the camera and nothing
 * else: not the log (FFmpeg's errors quote the whole URI), the frames, the health checks or the metrics.
 */
@QuarkusTest
@TestProfile(LiveCameraKafkaTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
class LiveCameraKafkaTest {

    /** The management interface (its own port, under /q/): health and metrics. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static final String CAMERA = "live-cam";
    static final int FRAMES_PER_CONNECTION = 12;
    static final String PASSWORD = "S3cretMarker";
    static final Path LOG = Path.of("target/live-camera-kafka-test.log");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vigil.ingest.cameras." + CAMERA + ".uri", "http://alice:" + PASSWORD + "@127.0.0.1:" + cameraPort()
                    + "/cam.mkv", "vigil.ingest.reconnect.initial-backoff", "100ms", "vigil.ingest.reconnect.max-backoff", "400ms",
                    "quarkus.log.file.enabled", "true", "quarkus.log.file.path", LOG.toAbsolutePath().toString());
        }

        /**
         * One camera server per JVM (Quarkus loads the profile in more than one class loader; the port is shared as a
         * system property): connection 1 streams, 2 and 3 are refused with 503, 4 and later stream again.
         */
        static synchronized int cameraPort() {
            String port = System.getProperty("vigil.test.live-camera.port");
            if (port != null) {
                return Integer.parseInt(port);
            }
            try {
                Path ped2 = SharedData.ped2TestVideo("03");
                Path file = Files.createTempFile("vigil-live-", ".mkv");
                byte[] video = Files.readAllBytes(TestVideos.write(file, IntStream.range(0, FRAMES_PER_CONNECTION)
                        .mapToObj(i -> ped2.resolve(String.format("%03d.jpg", i))).toList(), "matroska", 10));
                Files.delete(file);
                AtomicInteger connections = new AtomicInteger();
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                String credentials = "Basic " + java.util.Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes());
                server.createContext("/cam.mkv", exchange -> {
                    if (!credentials.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"camera\"");
                        exchange.sendResponseHeaders(401, -1);
                        exchange.close();
                        return;
                    }
                    int n = connections.incrementAndGet();
                    if (n == 2 || n == 3) {
                        exchange.sendResponseHeaders(503, -1);
                        exchange.close();
                        return;
                    }
                    exchange.getResponseHeaders().add("Content-Type", "video/x-matroska");
                    exchange.sendResponseHeaders(200, video.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(video);
                    }
                });
                server.start();
                System.setProperty("vigil.test.live-camera.port", Integer.toString(server.getAddress().getPort()));
                return server.getAddress().getPort();
            } catch (Exception e) {
                throw new IllegalStateException("cannot serve the live camera", e);
            }
        }
    }

    @Test
    void cameraThatDropsAndComesBackIsReconnectedAndLosesNoFrame() throws Exception {
        int expected = 2 * FRAMES_PER_CONNECTION;
        List<Frame> frames = TopicReader.readKey(KafkaBrokerResource.bootstrapServers(), Topics.FRAMES, CAMERA, expected,
                Duration.ofSeconds(90)).stream().map(VigilSerdes.FRAME::parse).toList();
        assertTrue(frames.size() >= expected, "frames from before and after the drop: " + frames.size());
        ImageCodec codec = new ImageCodec();
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, frames.get(i).getFrameIndex(), "indices continue across the reconnect, no frame twice");
            assertEquals(360, codec.decode(frames.get(i).getJpeg().toByteArray()).width());
        }
        // After the drop the stream starts over: the same 12 pictures again, none skipped.
        for (int i = 0; i < FRAMES_PER_CONNECTION; i++) {
            assertEquals(frames.get(i).getJpeg(), frames.get(i + FRAMES_PER_CONNECTION).getJpeg(), "frame " + i + " again");
        }

        String metrics = given().get(management + "metrics").then().statusCode(200).extract().asString();
        Matcher reconnects = Pattern.compile("vigil_ingest_reconnects_total\\{camera=\"" + CAMERA + "\"} ([0-9.]+)")
                .matcher(metrics);
        assertTrue(reconnects.find(), metrics);
        assertTrue(Double.parseDouble(reconnects.group(1)) >= 3, "the end of the stream and two refused connections: "
                + reconnects.group());
        given().get(management + "health/ready").then().statusCode(200);

        // The password got the camera to stream, and went nowhere else.
        assertTrue(frames.stream().allMatch(f -> f.getSource().equals("http://***@127.0.0.1:" + Profile.cameraPort()
                + "/cam.mkv")), frames.get(0).getSource());
        assertTrue(!metrics.contains(PASSWORD), "metrics");
        String health = given().get(management + "health").then().extract().asString();
        assertTrue(!health.contains(PASSWORD) && health.contains(CAMERA), health);
        String log = Files.readString(LOG);
        assertTrue(log.contains("http://***@127.0.0.1"), "the log names the camera, without its password: " + log);
        assertTrue(!log.contains(PASSWORD), "the password is in the log: " + log);
    }
}
