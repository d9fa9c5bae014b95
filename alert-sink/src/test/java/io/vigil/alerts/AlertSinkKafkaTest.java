package io.vigil.alerts;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.testkit.Chromium;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.TopicReader;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The alert-sink on a real broker: events and frame scores on their topics exactly once, the REST API, the
 * thumbnail, the live stream, a webhook that fails twice before it accepts, and the page in headless Chromium.
 */
@QuarkusTest
@TestProfile(AlertSinkKafkaTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertSinkKafkaTest {

    /** The management interface (its own port, under /q/): health and metrics. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    /** Same path in every class loader of the test JVM (Quarkus loads the profile and the test separately). */
    static final Path WEBHOOK_LOG = Path.of(System.getProperty("java.io.tmpdir"),
            "vigil-alert-webhook-" + ProcessHandle.current().pid() + ".log");
    static final Path STATE = Path.of(System.getProperty("java.io.tmpdir"), "vigil-alert-test-" + ProcessHandle.current().pid());

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("vigil.alerts.sigma", "0"), Map.entry("vigil.alerts.completion-horizon", "5"),
                    Map.entry("vigil.alerts.idle-timeout", "3s"), Map.entry("vigil.alerts.events.open-threshold", "0.5"),
                    Map.entry("vigil.alerts.events.close-threshold", "0.3"), Map.entry("vigil.alerts.events.min-duration", "3"),
                    Map.entry("vigil.alerts.events.merge-gap", "2"), Map.entry("vigil.alerts.events.cooldown", "0"),
                    Map.entry("vigil.alerts.thumbnails.max-width", "160"),
                    Map.entry("vigil.alerts.webhook.url", "http://127.0.0.1:" + webhookPort() + "/hooks/vigil?token=t0ps3cret"),
                    Map.entry("vigil.alerts.webhook.allowed-hosts", "127.0.0.1"),
                    Map.entry("vigil.alerts.webhook.authorization", "Bearer s3cr3t"),
                    Map.entry("vigil.alerts.webhook.initial-backoff", "100ms"),
                    Map.entry("vigil.alerts.clips.margin", "500ms"),
                    Map.entry("kafka-streams.state.dir", STATE.toString()));
        }

        /** One webhook server per JVM (the JVM's properties are shared by the class loaders): 503 twice, then 204. */
        static synchronized int webhookPort() {
            String port = System.getProperty("vigil.test.webhook.port");
            if (port != null) {
                return Integer.parseInt(port);
            }
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                AtomicInteger calls = new AtomicInteger();
                server.createContext("/hooks/vigil", exchange -> {
                    int status = calls.incrementAndGet() <= 2 ? 503 : 204;
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    String line = status + " " + exchange.getRequestHeaders().getFirst("Idempotency-Key") + " "
                            + exchange.getRequestHeaders().getFirst("Authorization") + " " + body + "\n";
                    Files.writeString(WEBHOOK_LOG, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    exchange.sendResponseHeaders(status, -1);
                    exchange.close();
                });
                server.start();
                System.setProperty("vigil.test.webhook.port", Integer.toString(server.getAddress().getPort()));
                return server.getAddress().getPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @TestHTTPResource("/")
    URL root;

    private static void send(List<AlertInputs.Input> inputs) throws Exception {
        AlertInputs.send(KafkaBrokerResource.bootstrapServers(), inputs);
    }

    @Test
    @Order(1)
    void eventReachesTopicRestThumbnailAndWebhookExactlyOnce() throws Exception {
        send(AlertInputs.camera("cam-1", AlertInputs.ped2Jpegs(30), 0, 30, 10, 14));

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().queryParam("camera", "cam-1").get("/events").then()
                .statusCode(200).body("$", hasSize(1)).body("[0].id", equalTo("cam-1:10")).body("[0].state", equalTo("CLOSED")));
        given().get("/events/cam-1:10").then().statusCode(200).body("peakFrame", equalTo(10)).body("endFrame", equalTo(14))
                .body("boxes[0].className", equalTo("bicycle")).body("thumbnailUrl", equalTo("/events/cam-1:10/thumbnail.jpg"))
                .body("cause", equalTo("speed")).body("explanation", startsWith("unusually fast (speed 75 %"));
        given().get("/events/cam-1:11").then().statusCode(404);
        given().get("/events/nope").then().statusCode(400); // not camera:startFrame
        given().queryParam("camera", "other").get("/events").then().statusCode(200).body("$", hasSize(0));
        given().queryParam("from", 1_700_000_002_000L).get("/events").then().statusCode(200).body("$", hasSize(0));
        byte[] jpeg = given().get("/events/cam-1:10/thumbnail.jpg").then().statusCode(200)
                .contentType("image/jpeg").extract().asByteArray();
        RgbImage thumb = new ImageCodec().decode(jpeg);
        assertEquals(160, thumb.width());

        // The clip: frames 5..19 (the event's 10..14 and 500 ms either side), H.264 in MP4, 10 frames/s.
        io.restassured.response.Response clip = given().get("/events/cam-1:10/clip.mp4");
        clip.then().statusCode(200).contentType("video/mp4").header("X-Vigil-Frames", "15");
        Path mp4 = Files.write(STATE.resolve("clip.mp4"), clip.asByteArray());
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile())) {
            grabber.start();
            assertEquals("h264", grabber.getVideoCodecName());
            assertEquals(360, grabber.getImageWidth());
            assertEquals(10.0, grabber.getFrameRate(), 0.01);
            int frames = 0;
            while (grabber.grabImage() != null) {
                frames++;
            }
            assertEquals(15, frames);
        }
        given().get("/events/cam-1:11/clip.mp4").then().statusCode(404);

        List<AnomalyEvent> events = TopicReader.read(KafkaBrokerResource.bootstrapServers(), Topics.ANOMALY_EVENTS,
                r -> "cam-1".equals(r.key()), 2, Duration.ofSeconds(30), Duration.ofSeconds(2)).stream()
                .map(VigilSerdes.ANOMALY_EVENT::parse).toList();
        assertEquals(List.of(AnomalyEvent.State.OPEN, AnomalyEvent.State.CLOSED), events.stream().map(AnomalyEvent::getState).toList());
        assertEquals(30, TopicReader.read(KafkaBrokerResource.bootstrapServers(), Topics.FRAME_SCORES,
                r -> "cam-1".equals(r.key()), 30, Duration.ofSeconds(30), Duration.ofSeconds(2)).size());
        given().get("/cameras/cam-1/scores").then().statusCode(200).body("$", hasSize(30)).body("[10].smoothed", equalTo(0.9f));

        // Webhook: the first two POSTs get 503, the third (same event) is accepted, then the CLOSED announcement.
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(WEBHOOK_LOG)
                && Files.readAllLines(WEBHOOK_LOG).stream().filter(l -> l.startsWith("204 ")).count() >= 2);
        List<String> calls = Files.readAllLines(WEBHOOK_LOG);
        assertEquals(4, calls.size(), String.join("\n", calls));
        assertTrue(calls.get(0).startsWith("503 cam-1:10:OPEN:12 Bearer s3cr3t "), calls.get(0));
        assertTrue(calls.get(1).startsWith("503 cam-1:10:OPEN:12 "), calls.get(1));
        assertTrue(calls.get(2).startsWith("204 cam-1:10:OPEN:12 "), calls.get(2));
        assertTrue(calls.get(3).startsWith("204 cam-1:10:CLOSED:14 "), calls.get(3));
        assertTrue(calls.get(3).contains("\"thumbnailUrl\":\"/events/cam-1:10/thumbnail.jpg\"")
                && calls.get(3).contains("\"explanation\":\"unusually fast"), calls.get(3));

        given().get(management + "health/ready").then().statusCode(200);
        given().get(management + "health/live").then().statusCode(200).body(containsString("alert-webhook"));
        given().get(management + "metrics").then().statusCode(200).body(containsString("vigil_alerts_events_total"))
                .body(containsString("vigil_alerts_webhook_total"))
                // capture to frame score, per camera, as buckets (the latency alert's histogram_quantile reads them)
                .body(containsString("vigil_alerts_frame_latency_seconds_bucket{camera=\"cam-1\""))
                .body(containsString("vigil_alerts_frame_latency_seconds_count{camera=\"cam-1\"}"));
    }

    @Test
    @Order(2)
    void liveStreamPushesNewAnnouncements() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> lines = new CopyOnWriteArrayList<>();
        var response = http.sendAsync(HttpRequest.newBuilder(root.toURI().resolve("events/stream"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        Thread reader = new Thread(() -> {
            try (Stream<String> body = response.get(30, TimeUnit.SECONDS).body()) {
                body.forEach(lines::add);
            } catch (Exception e) {
                lines.add("error " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(response::isDone);
        assertEquals(200, response.get().statusCode());

        // Poison on the topics the views and the webhook read: skipped by the view, dead-lettered by the webhook.
        byte[] garbage = {(byte) 0xff, 0x13, 0x37};
        send(List.of(new AlertInputs.Input(Topics.ANOMALY_EVENTS, "poison", garbage),
                new AlertInputs.Input(Topics.FRAME_SCORES, "poison", garbage)));
        send(AlertInputs.camera("cam-2", AlertInputs.ped2Jpegs(20), 0, 20, 5, 9));
        await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.startsWith("data:")
                && l.contains("\"id\":\"cam-2:5\"") && l.contains("\"state\":\"CLOSED\"")));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"id\":\"cam-2:5\"") && l.contains("\"state\":\"OPEN\"")), lines.toString());

        var dead = TopicReader.readKey(KafkaBrokerResource.bootstrapServers(), Topics.DEAD_LETTER, "poison", 1, Duration.ofSeconds(30));
        assertEquals(1, dead.size(), "only the webhook writes dead letters of what it reads");
        assertEquals(WebhookDelivery.WEBHOOK_STAGE, new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.STAGE).value(),
                StandardCharsets.UTF_8));
        assertEquals(Topics.ANOMALY_EVENTS, new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.SOURCE).value(),
                StandardCharsets.UTF_8));
        // ... and went on delivering: cam-2's announcements reached the receiver after the poison.
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(WEBHOOK_LOG).stream()
                .anyMatch(l -> l.startsWith("204 cam-2:5:CLOSED:9 ")));
    }

    @Test
    @Order(3)
    void pageShowsEventsWithThumbnailsAndATimelinePerCameraInHeadlessChromium() throws Exception {
        Path chromium = Chromium.require();
        Path profile = Files.createTempDirectory("vigil-chromium-");
        Path shot = profile.resolve("page.png");
        // live=0: no EventSource, whose open stream would keep headless Chromium's virtual time from running out.
        String page = root + "?live=0";
        String dom = Chromium.run(chromium, profile, List.of("--dump-dom", page));
        assertTrue(dom.contains("data-ready=\"true\""), "page script finished:\n" + dom);
        assertTrue(dom.contains("data-event-id=\"cam-1:10\"") && dom.contains("data-event-id=\"cam-2:5\""), dom);
        assertTrue(dom.contains("src=\"/events/cam-1:10/thumbnail.jpg"), dom);
        assertTrue(dom.contains("<span class=\"why\">unusually fast (speed 75 %, appearance 25 %) — </span>"), dom);
        assertTrue(dom.contains("data-camera=\"cam-1\" data-points=\"30\""), dom);

        Chromium.run(chromium, profile, List.of("--window-size=1280,900", "--screenshot=" + shot, page));
        BufferedImage png = ImageIO.read(shot.toFile());
        assertEquals(1280, png.getWidth());
        int timeline = 0;
        int thumbnailPixels = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int rgb = png.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.abs(r - 0x2f) < 30 && Math.abs(g - 0x6f) < 30 && Math.abs(b - 0xdb) < 30) {
                    timeline++; // the score line
                }
                if (x < 400 && Math.abs(r - g) < 12 && Math.abs(g - b) < 12 && r > 60 && r < 200) {
                    thumbnailPixels++; // Ped2 is grey: the thumbnails in the event list
                }
            }
        }
        assertTrue(timeline > 300, "score timeline drawn: " + timeline + " blue pixels");
        assertTrue(thumbnailPixels > 5000, "thumbnails shown: " + thumbnailPixels + " grey pixels");
    }

    /** Records straight onto a topic, as any client that can write there would. */
    private static void write(String topic, String key, byte[] value) throws Exception {
        send(List.of(new AlertInputs.Input(topic, key, value)));
    }

    @Test
    @Order(10)
    void hostileRecordsOnTheOutputTopicsStopNeitherThePageNorTheWebhook() throws Exception {
        // Found on a running chain: a null value on vigil.frame-scores ended the view ("event view stopped") while
        // readiness stayed UP; an event of camera 入口 ended the webhook loop ("invalid header value" on
        // Idempotency-Key); a REVIEWED of an event never announced and an OPEN with a NaN peak were shown as real.
        double skippedBefore = skippedByTheView();
        write(Topics.FRAME_SCORES, "cam-h", null);
        write(Topics.FRAME_SCORES, "cam-h", "not protobuf".getBytes(StandardCharsets.UTF_8));
        write(Topics.FRAME_SCORES, "cam-h", io.vigil.proto.v1.FrameScore.newBuilder().setCameraId("cam-h").setFrameIndex(0)
                .setSmoothedScore(Float.NaN).build().toByteArray());
        AnomalyEvent open = AnomalyEvent.newBuilder().setEventId("入口:7").setCameraId("入口").setState(AnomalyEvent.State.OPEN)
                .setStartFrameIndex(7).setEndFrameIndex(9).setPeakFrameIndex(8).setPeakScore(4.2f).setStartTimeMs(1)
                .setEndTimeMs(2).setPeakTimeMs(2).build();
        write(Topics.ANOMALY_EVENTS, "ghost", open.toBuilder().setEventId("ghost:5").setCameraId("ghost").setStartFrameIndex(5)
                .setEndFrameIndex(5).setPeakFrameIndex(5).setState(AnomalyEvent.State.REVIEWED).setReview(io.vigil.proto.v1.Review
                        .newBuilder().setAction(io.vigil.proto.v1.Review.Action.RESOLVED).setBy("operator").setTimeMs(1))
                .build().toByteArray());
        write(Topics.ANOMALY_EVENTS, "nan-cam", open.toBuilder().setEventId("nan-cam:7").setCameraId("nan-cam")
                .setPeakScore(Float.NaN).build().toByteArray());
        write(Topics.ANOMALY_EVENTS, "入口", open.toByteArray());
        write(Topics.FRAME_SCORES, "cam-h", io.vigil.proto.v1.FrameScore.newBuilder().setCameraId("cam-h").setFrameIndex(1)
                .setRawScore(0.5f).setSmoothedScore(0.5f).build().toByteArray());

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().queryParam("camera", "入口").get("/events").then()
                .statusCode(200).body("$", hasSize(1)).body("[0].id", equalTo("入口:7")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/cameras/cam-h/scores").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].frame", equalTo(1)));
        given().get("/events/ghost:5").then().statusCode(404);
        given().get("/events/nan-cam:7").then().statusCode(404);

        // The webhook delivers the event with its key percent-encoded, and dead-letters the two others.
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readAllLines(WEBHOOK_LOG).stream()
                .anyMatch(l -> l.startsWith("204 %E5%85%A5%E5%8F%A3:7:OPEN:9 ")));
        List<String> calls = Files.readAllLines(WEBHOOK_LOG);
        assertTrue(calls.stream().noneMatch(l -> l.contains("ghost") || l.contains("nan-cam")), String.join("\n", calls));
        List<String> reasons = TopicReader.read(KafkaBrokerResource.bootstrapServers(), Topics.DEAD_LETTER,
                r -> "ghost".equals(r.key()) || "nan-cam".equals(r.key()), 2, Duration.ofSeconds(30), Duration.ofSeconds(1))
                .stream().map(r -> new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .toList();
        assertEquals(2, reasons.size(), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("never announced")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("peak score NaN")), reasons.toString());

        given().get(management + "health/live").then().statusCode(200).body(containsString("alert-view-thread"));
        assertEquals(4, skippedByTheView() - skippedBefore, "null, not protobuf, NaN score, NaN peak");
    }

    @Test
    @Order(11)
    void thePageAndTheApiSendSecurityHeaders() {
        // Found on a running chain: the page sent no Content-Security-Policy, frame-ancestors or nosniff.
        for (String path : List.of("/", "/page.js", "/events")) {
            given().get(path).then().statusCode(200)
                    .header("Content-Security-Policy", containsString("script-src 'self'"))
                    .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                    .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                    .header("Referrer-Policy", "no-referrer");
        }
        given().get("/").then().body(org.hamcrest.Matchers.not(containsString("<script>")));
    }

    /** The view's count of records it could not use (other tests on the shared broker write some too). */
    private double skippedByTheView() {
        String metrics = given().get(management + "metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^vigil_alerts_view_skipped_total ([0-9.]+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
