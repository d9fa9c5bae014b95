package io.vigil.alerts;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.common.scoring.EventDetector;
import io.vigil.proto.v1.EventThresholds;
import io.vigil.proto.v1.FrameAggregation;
import io.vigil.proto.v1.FrameSmoothing;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.testkit.KafkaBrokerResource;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API: bad input gets a clear 4xx and nothing else, the live stream has a cap on its clients, and each
 * camera's thresholds are shown with where they come from.
 */
@QuarkusTest
@TestProfile(EventApiInputTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
class EventApiInputTest {

    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "vigil-alert-api-" + ProcessHandle.current().pid());
    static final Path REGISTRY = DIR.resolve("registry");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vigil.alerts.view.max-stream-clients", "2", "kafka-streams.state.dir", DIR.resolve("state").toString(),
                    "vigil.alerts.registry", REGISTRY.toString(), "vigil.alerts.registry-refresh", "200ms",
                    "vigil.alerts.cameras.\"gate 3\".open-threshold", "6", "vigil.alerts.cameras.\"gate 3\".close-threshold", "5");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void badQueriesAndIdsAreRejectedWithA400() {
        for (String query : List.of("limit=abc", "limit=0", "limit=10001", "from=yesterday", "to=-1", "from=5&to=1",
                "camera=" + "c".repeat(201), "camera=%01cam")) {
            given().urlEncodingEnabled(false).get("/events?" + query).then().statusCode(400);
        }
        given().get("/events?limit=5&from=1&to=2&camera=cam-1").then().statusCode(200);
        given().get("/events/no-frame-index").then().statusCode(400);
        given().urlEncodingEnabled(false).get("/events/%01cam:5").then().statusCode(400);
        given().get("/events/cam-1:5").then().statusCode(404);
        given().get("/events/cam-1:5/thumbnail.jpg").then().statusCode(404);
        given().urlEncodingEnabled(false).get("/cameras/%01cam/scores").then().statusCode(400);
        given().get("/cameras/cam-1/scores").then().statusCode(200);
    }

    @Test
    void eachCamerasThresholdsComeFromConfigurationTheRegistryOrTheDefaults() throws Exception {
        given().get("/cameras/gate 3/thresholds").then().statusCode(200).body("openThreshold", equalTo(6f))
                .body("closeThreshold", equalTo(5f)).body("origin", equalTo("configuration"));
        given().get("/cameras/cam-9/thresholds").then().statusCode(200).body("openThreshold",
                equalTo(Float.parseFloat(EventDetector.Settings.OPEN_THRESHOLD))).body("origin", equalTo("default"))
                .body("frameAggregation", equalTo("crowd_adjusted")).body("sigma", equalTo(3f)).body("lookaheadFrames", equalTo(9));
        given().urlEncodingEnabled(false).get("/cameras/%01cam/thresholds").then().statusCode(400);

        // A model calibrated for cam-9 is registered while the service runs: its thresholds, and the aggregation and
        // smoothing they were chosen on, apply within a refresh.
        Path model = Files.writeString(Files.createDirectories(DIR).resolve("m.onnx"), "model");
        new ModelRegistry(REGISTRY).register("cam-9", model, ModelDescriptor.newBuilder().setThresholds(EventThresholds
                .newBuilder().setOpen(4.5f).setClose(3f).setAggregation(FrameAggregation.FRAME_AGGREGATION_MAXIMUM)
                .setSmoothing(FrameSmoothing.newBuilder().setSigma(8).setMaxLookahead(24))).build(), true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!given().get("/cameras/cam-9/thresholds").asString().contains("\"model\"") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        given().get("/cameras/cam-9/thresholds").then().statusCode(200).body("openThreshold", equalTo(4.5f))
                .body("closeThreshold", equalTo(3f)).body("origin", equalTo("model")).body("frameAggregation", equalTo("maximum"))
                .body("sigma", equalTo(8f)).body("lookaheadFrames", equalTo(24))
                .body("detail", startsWith("calibrated with cam-9/v1@"));
    }

    @Test
    void pathTraversalAndOversizedRequestsGetA4xx() {
        int traversal = given().urlEncodingEnabled(false).get("/events/..%2F..%2F..%2Fetc%2Fpasswd:1/thumbnail.jpg")
                .then().extract().statusCode();
        assertEquals(4, traversal / 100, "status " + traversal);
        given().urlEncodingEnabled(false).get("/events?camera=" + "x".repeat(10_000)).then().statusCode(414);
    }

    @Test
    void theLiveStreamTakesAtMostItsCapOfClients() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<Stream<String>>>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                open.add(stream(http));
                assertEquals(200, open.get(i).get(10, TimeUnit.SECONDS).statusCode());
            }
            HttpResponse<Stream<String>> third = stream(http).get(10, TimeUnit.SECONDS);
            assertEquals(503, third.statusCode());
            assertEquals("30", third.headers().firstValue("Retry-After").orElse(""));
            third.body().close();

            open.remove(0).get().body().close(); // a client leaves: its place is free again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int status;
            do {
                HttpResponse<Stream<String>> next = stream(http).get(10, TimeUnit.SECONDS);
                status = next.statusCode();
                if (status == 200) {
                    open.add(CompletableFuture.completedFuture(next));
                } else {
                    next.body().close();
                    Thread.sleep(200);
                }
            } while (status != 200 && System.nanoTime() < deadline);
            assertEquals(200, status, "a freed place is given to the next client");
        } finally {
            for (var f : open) {
                f.get().body().close();
            }
        }
    }

    private CompletableFuture<HttpResponse<Stream<String>>> stream(HttpClient http) throws Exception {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(root.toString()).resolve("events/stream"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
    }
}
