package io.vigil.local.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cameras' states as frame-ingest reports them in its readiness check ({@code "cam-02": "FINISHED, 180 frames,
 * 0 bad"}): how the main job learns that every source has ended when frame-ingest keeps running (stream mode).
 */
public final class IngestProbe {

    private static final List<String> ENDED = List.of("FINISHED", "FAILED", "STOPPED");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI readiness;

    public IngestProbe(int port) {
        this.readiness = URI.create("http://localhost:" + port + "/q/health/ready");
    }

    /** Each camera's state, or empty while frame-ingest does not answer (starting, or gone). */
    public Optional<Map<String, String>> states(List<String> cameras) {
        String body;
        try {
            body = http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        Map<String, String> states = new LinkedHashMap<>();
        for (String camera : cameras) {
            Matcher m = Pattern.compile("\"" + Pattern.quote(camera) + "\"\\s*:\\s*\"([A-Z]+)").matcher(body);
            if (!m.find()) {
                return Optional.empty();
            }
            states.put(camera, m.group(1));
        }
        return Optional.of(states);
    }

    /** True when every camera's source has ended: finished, failed or stopped. */
    public static boolean allEnded(Map<String, String> states) {
        return states.values().stream().allMatch(ENDED::contains);
    }
}
