package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.process.ServiceProcess;
import io.vigil.proto.Topics;
import io.vigil.testkit.Chromium;
import io.vigil.testkit.Prerequisites;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Vigil's monitoring as a platform team wires it (issue 31): Debian's Prometheus scrapes the packaged services'
 * management ports, with the shipped alert rules, while Ped2 test video 02 streams through (looped). Every query of the
 * shipped dashboard returns series, and the stage-down alert fires for a stage that is stopped, and for no other.
 * Leaves a screenshot of Prometheus's graph page with the dashboard's main queries in {@code target/monitoring-it/}.
 */
class MonitoringIT {

    private static final Path MONITORING = Path.of("..", "monitoring").toAbsolutePath().normalize();
    /** Under target/, kept after a failure: the services' and Prometheus's logs are in logs/. */
    private final Path data = Path.of("target/monitoring-it").toAbsolutePath();
    private final Path home = Path.of("..").toAbsolutePath().normalize();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void prometheusSeesEveryStageAndFiresStageDownForAStoppedOne() throws Exception {
        if (!Prerequisites.onPath("prometheus")) {
            Prerequisites.missing("prometheus is not on the PATH (Debian: apt-get install prometheus)");
            return;
        }
        FaultToleranceIT.deleteRecursively(data);
        Files.createDirectories(data.resolve("logs"));
        List<ServiceProcess> running = new ArrayList<>();
        Process prometheus = null;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            Map<String, ServiceSpec> specs = specs(broker.bootstrapServers());
            int prometheusPort = LocalKafkaBroker.freePort();
            prometheus = startPrometheus(specs, prometheusPort);
            String api = "http://127.0.0.1:" + prometheusPort;
            await(Duration.ofSeconds(60), "Prometheus ready", () -> get(api + "/-/ready").statusCode() == 200);
            for (Map.Entry<String, ServiceSpec> s : specs.entrySet()) {
                ServiceSpec spec = s.getValue();
                running.add(ServiceProcess.start(s.getKey(), home.resolve(spec.name() + "/target/quarkus-app/quarkus-run.jar"),
                        spec.properties(), spec.environment(), data.resolve("logs/" + s.getKey() + ".log")));
                HealthProbe.await(s.getKey(), spec.managementPort(), "ready", Duration.ofSeconds(120));
            }

            // Every stage scraped, and the video's frames through to the alert-sink.
            await(Duration.ofSeconds(60), "all five stages up", () -> query(api, "sum(up{job=~\"vigil-.*\"})")
                    .filter(v -> v == specs.size()).isPresent());
            await(Duration.ofSeconds(240), "100 frames scored, as Prometheus sees it",
                    () -> query(api, "sum(vigil_alerts_frames_total)").filter(v -> v >= 100).isPresent());
            Thread.sleep(3000); // a few more scrapes for the rates

            // The dashboard's queries, each as Grafana would send it.
            Map<String, Integer> seriesByQuery = new LinkedHashMap<>();
            for (String expr : dashboardQueries()) {
                seriesByQuery.put(expr, series(api, expr));
            }
            System.out.println("dashboard queries and their series:\n" + seriesByQuery.entrySet().stream()
                    .map(e -> "  " + e.getValue() + "  " + e.getKey()).collect(Collectors.joining("\n")));
            List<String> empty = seriesByQuery.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
            assertEquals(List.of(), empty, "dashboard queries without a series while Ped2 02 streams");
            // Micrometer looks for new client metrics once a minute, so a consumer's lag comes later than the rest.
            await(Duration.ofSeconds(120), "consumer lag from each of the four stages that read a topic",
                    () -> series(api, "max by (job) (kafka_consumer_fetch_manager_records_lag_max)") == 4);
            screenshot(api);

            assertEquals(List.of(), alerts(api, a -> a.path("labels").path("alertname").asText().equals("VigilStageDown")),
                    "no stage-down alert while every stage runs");
            ServiceProcess scorer = running.stream().filter(p -> p.name().equals("anomaly-scorer")).findFirst().orElseThrow();
            scorer.close();
            long stopped = System.nanoTime();
            // The rule waits a minute ("for: 1m") before it fires.
            await(Duration.ofSeconds(150), "VigilStageDown firing for the anomaly-scorer", () -> !alerts(api,
                    a -> a.path("labels").path("alertname").asText().equals("VigilStageDown")
                            && a.path("state").asText().equals("firing")).isEmpty());
            List<String> down = alerts(api, a -> a.path("labels").path("alertname").asText().equals("VigilStageDown"));
            System.out.printf("stage down fired %d s after the scorer stopped: %s%n",
                    Duration.ofNanos(System.nanoTime() - stopped).toSeconds(), down);
            assertEquals(List.of("vigil-anomaly-scorer firing"), down, "the stopped stage, and only it");
        } finally {
            ServiceProcess.stopAll(running);
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** The services as vigil-local runs them, the video looped as a camera never ends; ingest last, once the others read. */
    private Map<String, ServiceSpec> specs(String bootstrap) throws Exception {
        Map<String, ServiceSpec> specs = new LinkedHashMap<>();
        for (ServiceSpec spec : LocalServices.services(PackagedChain.ped2(data, home, false), bootstrap)) {
            specs.put(spec.name(), new ServiceSpec(spec.name(), 0, PackagedChain.onFreePorts(spec.properties()),
                    spec.environment(), ""));
        }
        specs.put("frame-ingest", specs.remove("frame-ingest"));
        return specs;
    }

    /**
     * Prometheus with the shipped rules and the shipped scrape jobs' names and path, pointed at this run's ports;
     * scraping and rule evaluation every second instead of 15, so that the test waits seconds, not minutes.
     */
    private Process startPrometheus(Map<String, ServiceSpec> specs, int port) throws Exception {
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - "
                + MONITORING.resolve("vigil-rules.yml") + "\nscrape_configs:\n");
        for (ServiceSpec spec : specs.values()) {
            config.append("  - job_name: vigil-").append(spec.name()).append("\n    metrics_path: /q/metrics\n")
                    .append("    static_configs: [{targets: [\"localhost:").append(spec.managementPort()).append("\"]}]\n");
        }
        Path file = data.resolve("prometheus.yml");
        Files.writeString(file, config);
        return new ProcessBuilder("prometheus", "--config.file=" + file, "--storage.tsdb.path=" + data.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                .redirectOutput(data.resolve("logs/prometheus.log").toFile()).start();
    }

    /** Every query of the shipped Grafana dashboard. */
    private List<String> dashboardQueries() throws Exception {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : json.readTree(MONITORING.resolve("grafana-dashboard.json").toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        assertTrue(exprs.size() >= 10, "the dashboard's queries: " + exprs);
        return exprs;
    }

    /**
     * Prometheus's own graph page with the dashboard's main queries, as headless Chromium renders it: the picture in
     * docs/operations.md comes from here.
     */
    private void screenshot(String api) throws Exception {
        List<String> shown = List.of("sum by (camera) (rate(vigil_ingest_frames_published_total[1m]))",
                "sum(rate(vigil_scorer_sequences_total{outcome=\"scored\"}[1m]))",
                "max by (camera) (vigil_alerts_frame_score)",
                "histogram_quantile(0.95, sum by (le, camera) (rate(vigil_alerts_frame_latency_seconds_bucket[5m])))");
        StringBuilder url = new StringBuilder(api + "/graph?");
        for (int i = 0; i < shown.size(); i++) {
            url.append(i == 0 ? "" : "&").append("g").append(i).append(".expr=").append(URLEncoder.encode(shown.get(i),
                    StandardCharsets.UTF_8)).append("&g").append(i).append(".tab=0&g").append(i).append(".range_input=1m");
        }
        Path profile = Files.createDirectories(data.resolve("chromium"));
        Path shot = data.resolve("prometheus-graph.png");
        Chromium.run(Chromium.require(), profile, List.of("--window-size=1280,2750", "--screenshot=" + shot, url.toString()));
        assertTrue(Files.size(shot) > 10_000, "a screenshot of " + url + " in " + shot);
    }

    /** A single instant value, when the query gives exactly one series. */
    private Optional<Double> query(String api, String expr) throws Exception {
        JsonNode result = instant(api, expr);
        return result.size() == 1 ? Optional.of(result.get(0).path("value").get(1).asDouble()) : Optional.empty();
    }

    private int series(String api, String expr) throws Exception {
        return instant(api, expr).size();
    }

    private JsonNode instant(String api, String expr) throws Exception {
        HttpResponse<String> r = get(api + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        JsonNode body = json.readTree(r.body());
        assertEquals("success", body.path("status").asText(), expr + ": " + r.body());
        return body.path("data").path("result");
    }

    /** The alerts, pending or firing, that match: "job state" each. */
    private List<String> alerts(String api, Predicate<JsonNode> which) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode a : json.readTree(get(api + "/api/v1/alerts").body()).path("data").path("alerts")) {
            if (which.test(a)) {
                out.add(a.path("labels").path("job").asText() + " " + a.path("state").asText());
            }
        }
        return out;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (java.io.IOException notListeningYet) {
                // Prometheus starting
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
    }
}
