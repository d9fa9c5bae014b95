package io.vigil.alerts;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.vigil.alerts.auth.AuthResource;
import io.vigil.alerts.auth.TokenIssuer;
import io.vigil.auth.LocalUsers;
import io.vigil.auth.TokenKeys;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.Review;
import io.vigil.testkit.Chromium;
import io.vigil.testkit.KafkaBrokerResource;
import io.vigil.testkit.TopicReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the alert-sink, with authentication on, over a real broker: 401 without a valid token, 403 for
 * the wrong role, 200 for the right one; the built-in login with its lockout and cookie; an operator's review
 * published on {@code vigil.anomaly-events}.
 */
@QuarkusTest
@TestProfile(AuthKafkaTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
class AuthKafkaTest {

    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "vigil-alert-auth-" + ProcessHandle.current().pid());
    static final String ISSUER = "vigil-test";
    static final String VIEWER_PASSWORD = "vera's long password";
    static final String OPERATOR_PASSWORD = "otto's long password";
    static final String EVENT = "cam-a:10";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            TokenKeys keys = keys();
            Path users = DIR.resolve("users");
            try {
                LocalUsers.write(users, List.of(
                        new LocalUsers.User("vera", LocalUsers.VIEWER, LocalUsers.hash(VIEWER_PASSWORD.toCharArray(), 1000)),
                        new LocalUsers.User("otto", LocalUsers.OPERATOR, LocalUsers.hash(OPERATOR_PASSWORD.toCharArray(), 1000)),
                        new LocalUsers.User("lou", LocalUsers.VIEWER, LocalUsers.hash("lou's password".toCharArray(), 1000))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("vigil.alerts.auth.enabled", "true", "vigil.alerts.auth.users-file", users.toString(),
                    "vigil.alerts.auth.signing-key", keys.signingKey().toString(),
                    "mp.jwt.verify.publickey.location", keys.verifyKey().toString(), "mp.jwt.verify.issuer", ISSUER,
                    "vigil.alerts.auth.max-failed-logins", "3", "vigil.alerts.auth.lockout", "1h",
                    "vigil.alerts.view.max-stream-clients-per-user", "2",
                    "vigil.alerts.registry", DIR.resolve("registry").toString(),
                    "kafka-streams.state.dir", DIR.resolve("state").toString());
        }
    }

    static TokenKeys keys() {
        try {
            return TokenKeys.createOrLoad(DIR.resolve("keys"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every endpoint, as method and path, with the roles it admits. */
    record Endpoint(String method, String path, Set<String> roles) {
    }

    static final String ZONE = "{\"mode\": \"NOT_ALERTED\", \"points\": [[0, 0.5], [1, 0.5], [1, 1], [0, 1]]}";

    static final Set<String> READERS = Set.of(LocalUsers.VIEWER, LocalUsers.OPERATOR);
    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/events", READERS),
            new Endpoint("GET", "/events/" + EVENT, READERS),
            new Endpoint("GET", "/events/" + EVENT + "/thumbnail.jpg", READERS),
            new Endpoint("GET", "/events/" + EVENT + "/clip.mp4", READERS),
            new Endpoint("GET", "/events/stream", READERS),
            new Endpoint("GET", "/cameras", READERS),
            new Endpoint("GET", "/cameras/cam-a/scores", READERS),
            new Endpoint("GET", "/cameras/cam-a/thresholds", READERS),
            new Endpoint("GET", "/settings", READERS),
            new Endpoint("GET", "/cameras/cam-a/zones", READERS),
            new Endpoint("PUT", "/cameras/cam-a/zones/lawn", Set.of(LocalUsers.OPERATOR)),
            new Endpoint("DELETE", "/cameras/cam-a/zones/lawn", Set.of(LocalUsers.OPERATOR)),
            new Endpoint("GET", "/auth/me", READERS),
            new Endpoint("POST", "/events/" + EVENT + "/acknowledge", Set.of(LocalUsers.OPERATOR)),
            new Endpoint("POST", "/events/" + EVENT + "/resolve", Set.of(LocalUsers.OPERATOR)));

    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @BeforeAll
    static void anEventAndAFrameScore() throws Exception {
        publish(Topics.ANOMALY_EVENTS, event(EVENT, 10).toByteArray());
        List<byte[]> jpegs = AlertInputs.ped2Jpegs(5);
        for (int f = 0; f < jpegs.size(); f++) { // the frames of the event's span, for its clip
            publish(Topics.FRAMES, Frame.newBuilder().setCameraId("cam-a").setFrameIndex(10 + f).setCaptureTimeMs(1000 + f * 100L)
                    .setWidth(360).setHeight(240).setJpeg(ByteString.copyFrom(jpegs.get(f))).build().toByteArray());
        }
        publish(Topics.FRAME_SCORES, FrameScore.newBuilder().setCameraId("cam-a").setFrameIndex(10).setSmoothedScore(4f).build()
                .toByteArray());
    }

    static AnomalyEvent event(String id, long start) throws Exception {
        return AnomalyEvent.newBuilder().setEventId(id).setCameraId("cam-a").setState(AnomalyEvent.State.OPEN)
                .setStartFrameIndex(start).setEndFrameIndex(start + 4).setPeakFrameIndex(start + 2).setStartTimeMs(start * 100)
                .setEndTimeMs(start * 100 + 400).setPeakScore(4.5f)
                .setThumbnailJpeg(ByteString.copyFrom(AlertInputs.ped2Jpegs(1).get(0))).build();
    }

    static void publish(String topic, byte[] value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "cam-a", value)).get();
        }
    }

    static String token(String user, String role) {
        return token(user, role, ISSUER, keys().signingKey());
    }

    static String token(String user, String role, String issuer, Path key) {
        try {
            return Jwt.issuer(issuer).upn(user).groups(Set.of(role)).expiresIn(Duration.ofMinutes(5)).sign(TokenIssuer.readKey(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response call(Endpoint e, RequestSpecification request) {
        if (e.path().equals("/events/stream")) {
            return null; // an open stream: see status(...)
        }
        return switch (e.method()) {
            case "GET" -> request.get(e.path());
            case "PUT" -> request.contentType(ContentType.JSON).body(ZONE).put(e.path());
            case "DELETE" -> request.delete(e.path());
            default -> request.contentType(ContentType.JSON).body("{\"note\": \"checked\"}").post(e.path());
        };
    }

    /** The status of a call; the live stream's from its headers alone (the body never ends). */
    int status(Endpoint e, String bearer) throws Exception {
        Response r = call(e, bearer == null ? given() : given().header("Authorization", "Bearer " + bearer));
        if (r != null) {
            return r.statusCode();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root.toString()).resolve(e.path())).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        response.body().close();
        return response.statusCode();
    }

    void awaitTheEvent() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                given().auth().oauth2(token("vera", LocalUsers.VIEWER)).get("/events/" + EVENT).statusCode() == 200);
    }

    @Test
    void withoutAValidTokenEveryEndpointAnswers401() throws Exception {
        awaitTheEvent();
        Path otherKeys = DIR.resolve("other-keys");
        String forged = token("otto", LocalUsers.OPERATOR, ISSUER, TokenKeys.createOrLoad(otherKeys).signingKey());
        String foreign = token("otto", LocalUsers.OPERATOR, "someone-else", keys().signingKey());
        for (Endpoint e : ENDPOINTS) {
            for (String bearer : new String[] {null, "not-a-jwt", forged, foreign}) {
                assertEquals(401, status(e, bearer), e + " with " + (bearer == null ? "no token" : bearer));
            }
        }
        // The page holds no data: it loads, and then asks for a login.
        given().get("/").then().statusCode(200);
        // Health and metrics are on the management port only, without a login (probes, Prometheus).
        given().get(management + "health/ready").then().statusCode(200);
        given().get(management + "metrics").then().statusCode(200);
        given().get("/q/health").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
    }

    @Test
    void eachRoleGetsWhatItMayAnd403ForTheRest() throws Exception {
        awaitTheEvent();
        for (String role : List.of(LocalUsers.VIEWER, LocalUsers.OPERATOR)) {
            String bearer = token("someone-" + role, role);
            for (Endpoint e : ENDPOINTS) {
                int status = status(e, bearer);
                if (e.roles().contains(role)) {
                    assertEquals(e.method().equals("DELETE") ? 204 : 200, status, e + " as " + role);
                } else {
                    assertEquals(403, status, e + " as " + role);
                }
            }
        }
    }

    @Test
    void anOperatorsReviewIsAnAnnouncementOnTheEventsTopic() {
        awaitTheEvent();
        given().auth().oauth2(token("otto", LocalUsers.OPERATOR)).contentType(ContentType.JSON)
                .body("{\"note\": \"a cyclist on the walkway\"}").post("/events/" + EVENT + "/resolve")
                .then().statusCode(200).body("review.action", equalTo("RESOLVED")).body("review.by", equalTo("otto"));

        List<AnomalyEvent> reviewed = TopicReader.read(KafkaBrokerResource.bootstrapServers(), Topics.ANOMALY_EVENTS,
                r -> VigilSerdes.ANOMALY_EVENT.parse(r).getReview().getNote().equals("a cyclist on the walkway"), 1,
                Duration.ofSeconds(30), Duration.ofMillis(500)).stream().map(VigilSerdes.ANOMALY_EVENT::parse).toList();
        assertEquals(1, reviewed.size());
        AnomalyEvent r = reviewed.get(0);
        assertEquals(AnomalyEvent.State.REVIEWED, r.getState());
        assertEquals("cam-a", r.getCameraId());
        assertEquals(Review.Action.RESOLVED, r.getReview().getAction());
        assertEquals("otto", r.getReview().getBy());
        assertTrue(Math.abs(System.currentTimeMillis() - r.getReview().getTimeMs()) < 60_000);
        assertEquals(14, r.getEndFrameIndex(), "the event's span as last announced");

        // The view keeps the detector's state and thumbnail with the review.
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(token("vera", LocalUsers.VIEWER))
                .get("/events/" + EVENT).then().statusCode(200).body("review.by", equalTo("otto"))
                .body("review.note", equalTo("a cyclist on the walkway")).body("state", equalTo("OPEN"))
                .body("thumbnailUrl", equalTo("/events/" + EVENT + "/thumbnail.jpg")));

        given().auth().oauth2(token("otto", LocalUsers.OPERATOR)).contentType(ContentType.JSON)
                .body("{\"note\": \"" + "x".repeat(501) + "\"}").post("/events/" + EVENT + "/acknowledge").then().statusCode(400);
        given().auth().oauth2(token("otto", LocalUsers.OPERATOR)).contentType(ContentType.JSON).body("{}")
                .post("/events/cam-a:99/acknowledge").then().statusCode(404);
    }

    @Test
    void aPersonLogsInOnThePageSeesEventsLiveAndAcknowledgesOneInHeadlessChromium() throws Exception {
        Path chromium = Chromium.require();
        awaitTheEvent();
        try (BrowserPage page = BrowserPage.open(chromium, DIR.resolve("chromium"), root.toString())) {
            // What a person sees, not what the attributes say: signed out, the form and no events; signed in, the
            // events and no form (a display rule once kept the form on screen under its hidden attribute).
            page.awaitTrue(BrowserPage.visible("#login"), Duration.ofSeconds(30));
            assertEquals(false, page.evaluate(BrowserPage.visible("main")).asBoolean(), "signed out: no events shown");
            page.evaluate("document.getElementById('username').value = 'otto';"
                    + "document.getElementById('password').value = '" + OPERATOR_PASSWORD.replace("'", "\\'") + "';"
                    + "document.querySelector('#login button').click()");
            page.awaitTrue("document.getElementById('status').textContent === 'live'", Duration.ofSeconds(30));
            page.awaitTrue("document.querySelector('[data-event-id=\"" + EVENT + "\"] img')?.naturalWidth > 0", Duration.ofSeconds(30));
            assertEquals(false, page.evaluate(BrowserPage.visible("#login")).asBoolean(), "signed in: the form is gone");
            assertEquals(true, page.evaluate(BrowserPage.visible("main")).asBoolean(), "signed in: the events show");
            assertEquals("otto (operator)", page.evaluate("document.getElementById('user').firstChild.textContent").asText());
            assertEquals(false, page.evaluate("document.cookie.includes('" + AuthResource.COOKIE + "')").asBoolean(),
                    "the token's cookie is out of the page's scripts' reach");

            // A new event reaches the open page through the live stream, and the operator acknowledges it there.
            publish(Topics.ANOMALY_EVENTS, event("cam-a:20", 20).toByteArray());
            page.awaitTrue("document.querySelector('[data-event-id=\"cam-a:20\"] button.acknowledge')", Duration.ofSeconds(30));
            page.evaluate("document.querySelector('[data-event-id=\"cam-a:20\"] button.acknowledge').click()");
            page.awaitTrue("document.querySelector('[data-event-id=\"cam-a:20\"] .review').textContent"
                    + ".startsWith('acknowledged by otto')", Duration.ofSeconds(30));
            given().auth().oauth2(token("vera", LocalUsers.VIEWER)).get("/events/cam-a:20").then()
                    .body("review.action", equalTo("ACKNOWLEDGED")).body("review.by", equalTo("otto"));

            // The event's clip plays on the page.
            page.evaluate("document.querySelector('[data-event-id=\"" + EVENT + "\"] button.play').click()");
            page.awaitTrue("document.querySelector('[data-event-id=\"" + EVENT + "\"] video')?.duration > 0.3",
                    Duration.ofSeconds(30));
            assertEquals(360, page.evaluate("document.querySelector('[data-event-id=\"" + EVENT + "\"] video').videoWidth").asInt());

            // An ignore zone drawn over the camera's latest thumbnail: three corners clicked, saved as not alerted.
            page.awaitTrue("document.querySelector('[data-camera=\"cam-a\"] button.show-zones')", Duration.ofSeconds(30));
            page.evaluate("window.prompt = () => 'lawn';"
                    + "document.querySelector('[data-camera=\"cam-a\"] button.show-zones').click()");
            page.awaitTrue("document.querySelector('[data-camera=\"cam-a\"] .zones img')?.naturalWidth > 0", Duration.ofSeconds(30));
            // The picture may load before the camera's zones arrive; the canvas takes clicks once the list is drawn.
            page.awaitTrue("document.querySelector('[data-camera=\"cam-a\"] .zones li.new-zone')", Duration.ofSeconds(30));
            page.evaluate("const c = document.querySelector('[data-camera=\"cam-a\"] .zones canvas');"
                    + "const r = c.getBoundingClientRect();"
                    + "for (const [x, y] of [[0.1, 0.2], [0.9, 0.2], [0.5, 0.8]]) {"
                    + "  c.dispatchEvent(new MouseEvent('click', {clientX: r.left + x * r.width, clientY: r.top + y * r.height}));"
                    + "}"
                    + "document.querySelector('[data-camera=\"cam-a\"] button.save-not_alerted').click()");
            page.awaitTrue("[...document.querySelectorAll('[data-camera=\"cam-a\"] .zones li')]"
                    + ".some(li => li.textContent.startsWith('lawn: not alerted, 3 corners'))", Duration.ofSeconds(30));
            IgnoreZone lawn = new ModelRegistry(DIR.resolve("registry")).cameraSettings().get("cam-a").getIgnoreZonesList()
                    .stream().filter(z -> z.getName().equals("lawn")).findFirst().orElseThrow();
            List<Float> expected = List.of(0.1f, 0.2f, 0.9f, 0.2f, 0.5f, 0.8f);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), lawn.getXy(i), 0.01, "corner coordinate " + i);
            }

            page.evaluate("document.getElementById('logout').click()");
            page.awaitTrue(BrowserPage.visible("#login"), Duration.ofSeconds(30));
            assertEquals(false, page.evaluate(BrowserPage.visible("main")).asBoolean(), "signed out again: no events shown");
        }
    }

    @Test
    void anOperatorDrawsAnIgnoreZoneThatIsStoredInTheRegistry() {
        String otto = token("otto", LocalUsers.OPERATOR);
        given().auth().oauth2(otto).contentType(ContentType.JSON)
                .body("{\"mode\": \"not-scored\", \"points\": [[0.1, 0.2], [0.9, 0.2], [0.5, 0.8]]}")
                .put("/cameras/gate 3/zones/road").then().statusCode(200).body("[0].name", equalTo("road"))
                .body("[0].mode", equalTo("NOT_SCORED"));
        IgnoreZone stored = new ModelRegistry(DIR.resolve("registry")).cameraSettings().get("gate 3").getIgnoreZones(0);
        assertEquals(List.of(0.1f, 0.2f, 0.9f, 0.2f, 0.5f, 0.8f), stored.getXyList());
        given().auth().oauth2(token("vera", LocalUsers.VIEWER)).get("/cameras/gate 3/zones").then().statusCode(200)
                .body("$", org.hamcrest.Matchers.hasSize(1)).body("[0].points[2][1]", equalTo(0.8f));

        for (String bad : List.of("{\"mode\": \"NOT_SCORED\", \"points\": [[0, 0], [1, 1]]}",
                "{\"mode\": \"NOT_SCORED\", \"points\": [[0, 0], [1.5, 0], [1, 1]]}",
                "{\"mode\": \"SOMETIMES\", \"points\": [[0, 0], [1, 0], [1, 1]]}",
                "{\"mode\": \"NOT_SCORED\", \"points\": [[0, 0, 0], [1, 0], [1, 1]]}", "{}")) {
            given().auth().oauth2(otto).contentType(ContentType.JSON).body(bad).put("/cameras/gate 3/zones/x").then()
                    .statusCode(400);
        }
        given().auth().oauth2(otto).contentType(ContentType.JSON).body(ZONE).put("/cameras/gate 3/zones/" + "n".repeat(65))
                .then().statusCode(400);
        given().auth().oauth2(otto).delete("/cameras/gate 3/zones/road").then().statusCode(204);
        assertEquals(0, new ModelRegistry(DIR.resolve("registry")).cameraSettings().get("gate 3").getIgnoreZonesCount());
    }

    @Test
    void theBuiltInLoginGivesATokenAndACookieAndLocksOutGuessing() {
        awaitTheEvent();
        Response ok = given().contentType(ContentType.JSON)
                .body(Map.of("username", "vera", "password", VIEWER_PASSWORD)).post("/auth/login");
        ok.then().statusCode(200).body("user", equalTo("vera")).body("role", equalTo("viewer"));
        String cookie = ok.getHeader("Set-Cookie");
        assertTrue(cookie.startsWith(AuthResource.COOKIE + "=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
                cookie);
        // The cookie alone lets the page in; the token alone lets an API client in.
        given().cookie(AuthResource.COOKIE, ok.getCookie(AuthResource.COOKIE)).get("/events").then().statusCode(200);
        given().auth().oauth2(ok.path("token")).get("/auth/me").then().statusCode(200).body("user", equalTo("vera"))
                .body("roles", equalTo(List.of("viewer")));
        given().cookie(AuthResource.COOKIE, ok.getCookie(AuthResource.COOKIE)).contentType(ContentType.JSON).body("{}")
                .post("/events/" + EVENT + "/acknowledge").then().statusCode(403);
        assertTrue(given().post("/auth/logout").getHeader("Set-Cookie").contains("Max-Age=0"));

        // Guessing lou's password: three failures, then even the right password waits.
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body(Map.of("username", "lou", "password", "guess " + i)).post("/auth/login")
                    .then().statusCode(401);
        }
        given().contentType(ContentType.JSON).body(Map.of("username", "lou", "password", "lou's password")).post("/auth/login")
                .then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        // ... while other users log in as before.
        given().contentType(ContentType.JSON).body(Map.of("username", "otto", "password", OPERATOR_PASSWORD)).post("/auth/login")
                .then().statusCode(200).body("role", equalTo("operator"));
        given().contentType(ContentType.JSON).body("{\"username\": \"otto\"}").post("/auth/login").then().statusCode(400);
    }

    @Test
    void oneUserCannotTakeEveryEventStream() throws Exception {
        // Found in the code: one viewer could take all 100 live-stream slots; now each user has a few.
        HttpClient http = HttpClient.newHttpClient();
        List<java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>>> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                held.add(stream(http, token("vera", LocalUsers.VIEWER)));
                assertEquals(200, held.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            }
            var third = stream(http, token("vera", LocalUsers.VIEWER)).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(429, third.statusCode(), "vera's third stream");
            third.body().close();
            var otto = stream(http, token("otto", LocalUsers.OPERATOR));
            held.add(otto);
            assertEquals(200, otto.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode(), "another user still gets one");
        } finally {
            for (var h : held) {
                h.thenAccept(r -> {
                    try {
                        r.body().close();
                    } catch (IOException e) {
                        // closed
                    }
                });
            }
        }
        // Closed streams give the slots back.
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var again = stream(http, token("vera", LocalUsers.VIEWER)).get(30, java.util.concurrent.TimeUnit.SECONDS);
            again.body().close();
            assertEquals(200, again.statusCode());
        });
    }

    private java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>> stream(HttpClient http, String token)
            throws Exception {
        return http.sendAsync(HttpRequest.newBuilder(root.toURI().resolve("events/stream")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
    }
}
