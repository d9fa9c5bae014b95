package io.vigil.local.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Each service's liveness as Kubernetes probes it ({@code /q/health/live} on the management port): a service that was
 * live and then answers DOWN for {@code failuresToEnd} checks in a row is dead to the job, even though its process
 * still runs (a Kafka Streams app in ERROR, a loop or view thread that ended). Not answering at all is left to the
 * process check: a service starting up has not been live yet.
 */
public final class LivenessWatch {

    /** A service that is not live, and what its health check said. */
    public record Dead(String service, String health) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, URI> liveness = new LinkedHashMap<>();
    private final Map<String, Boolean> wasLive = new HashMap<>();
    private final Map<String, Integer> downInARow = new HashMap<>();
    private final int failuresToEnd;

    /** @param managementPorts each service's management port, by name */
    public LivenessWatch(Map<String, Integer> managementPorts, int failuresToEnd) {
        managementPorts.forEach((name, port) -> liveness.put(name, URI.create("http://127.0.0.1:" + port + "/q/health/live")));
        this.failuresToEnd = failuresToEnd;
    }

    /** Probes every service once; the first one found dead, if any. */
    public Optional<Dead> check() throws InterruptedException {
        for (Map.Entry<String, URI> service : liveness.entrySet()) {
            String name = service.getKey();
            HttpResponse<String> answer;
            try {
                answer = http.send(HttpRequest.newBuilder(service.getValue()).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                continue; // starting, stopping or gone: the process check decides
            }
            if (answer.statusCode() == 200) {
                wasLive.put(name, true);
                downInARow.put(name, 0);
            } else if (wasLive.getOrDefault(name, false) && downInARow.merge(name, 1, Integer::sum) >= failuresToEnd) {
                return Optional.of(new Dead(name, answer.body().replaceAll("\\s+", " ")));
            }
        }
        return Optional.empty();
    }
}
