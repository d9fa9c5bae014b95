package io.vigil.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil's alert rules, checked by the real Prometheus tool (Debian's {@code promtool}; {@code .ci/run} installs it):
 * they load, their unit tests pass (each alert fires on series made for it and not on its neighbours), and the
 * Kubernetes PrometheusRule carries exactly the same groups as the compose rules file.
 */
class AlertRulesTest {

    private static final Path MONITORING = Path.of("..", "monitoring");
    private static final Path RULES = MONITORING.resolve("vigil-rules.yml");
    private static final Path RULE_TESTS = MONITORING.resolve("vigil-rules.test.yml");

    private record Run(int exit, String output) {
    }

    private static Run promtool(Path dir, String... args) throws IOException, InterruptedException {
        if (!Kustomize.onPath("promtool")) {
            String missing = "promtool is not on the PATH (Debian: apt-get install prometheus)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void theRulesLoadAndEveryAlertFiresOnItsOwnSeriesOnly() throws Exception {
        Run check = promtool(MONITORING, "check", "rules", RULES.getFileName().toString());
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("SUCCESS: 6 rules found"), check.output());

        Run test = promtool(MONITORING, "test", "rules", RULE_TESTS.getFileName().toString());
        assertEquals(0, test.exit(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());

        // The compose chain's Prometheus configuration: its jobs and the same rules.
        Run config = promtool(MONITORING, "check", "config", "prometheus.yml");
        assertEquals(0, config.exit(), config.output());
        assertTrue(config.output().contains("SUCCESS: 1 rule files found"), config.output());
    }

    @Test
    void theRuleTestsCatchABrokenRule(@TempDir Path temp) throws Exception {
        // A stage-down rule that waits 10 minutes instead of 1: the tests, unchanged, must fail.
        String rules = Files.readString(RULES);
        String broken = rules.replaceFirst("(alert: VigilStageDown\\n(?:.*\\n)*?\\s+for: )1m", "$110m");
        assertNotEquals(rules, broken);
        Files.writeString(temp.resolve(RULES.getFileName()), broken);
        Files.copy(RULE_TESTS, temp.resolve(RULE_TESTS.getFileName()));
        Run test = promtool(temp, "test", "rules", RULE_TESTS.getFileName().toString());
        assertNotEquals(0, test.exit(), test.output());
        assertTrue(test.output().contains("VigilStageDown"), test.output());
    }

    @Test
    void theDashboardsQueriesAreValidPromQLOverTheChainsMetrics(@TempDir Path temp) throws Exception {
        JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(panel.path("targets").size() > 0, panel.path("title").asText());
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                exprs.add(expr);
                // Each query as a recording rule, so that promtool parses it as Prometheus would.
                rules.append("      - record: vigil:dashboard:q").append(exprs.size()).append("\n        expr: '")
                        .append(expr.replace("'", "''")).append("'\n");
            }
        }
        Files.writeString(temp.resolve("dashboard-queries.yml"), rules);
        Run check = promtool(temp, "check", "rules", "dashboard-queries.yml");
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("SUCCESS: " + exprs.size() + " rules found"), check.output());
        // What the chain's board shows: rates, latency, lag, events and dead letters, per camera and per stage.
        String all = String.join("\n", exprs);
        for (String metric : List.of("vigil_ingest_frames_published_total", "vigil_alerts_frame_latency_seconds_bucket",
                "kafka_consumer_fetch_manager_records_lag_max", "vigil_alerts_events_total", "vigil_assembler_rejected_total",
                "vigil_onnx_cuda_fallback", "up{")) {
            assertTrue(all.contains(metric), metric + " is on the board");
        }
        assertTrue(all.contains("by (camera)") && all.contains("by (job)"), "per camera and per stage");
    }

    @Test
    void kubernetesGetsTheSameRulesAndScrapesEveryServiceUnderItsName() throws Exception {
        List<ObjectNode> rendered = Kustomize.render(Path.of("monitoring"));
        ObjectNode rule = Kustomize.find(rendered, "PrometheusRule", "vigil");
        assertNotNull(rule, "k8s/monitoring renders a PrometheusRule");
        assertEquals("vigil", rule.path("metadata").path("namespace").asText());
        JsonNode groups = Kustomize.read(Files.readString(RULES)).get(0).path("groups");
        assertEquals(groups, rule.path("spec").path("groups"), "k8s/monitoring/prometheus-rule.yaml's groups are "
                + "monitoring/vigil-rules.yml's: copy them over when the rules change");

        ObjectNode monitor = Kustomize.find(rendered, "PodMonitor", "vigil");
        assertNotNull(monitor, "k8s/monitoring renders a PodMonitor");
        assertEquals("app.kubernetes.io/name", monitor.path("spec").path("jobLabel").asText(),
                "the job label is the service's name, which VigilStageDown matches");
        JsonNode endpoint = monitor.path("spec").path("podMetricsEndpoints").get(0);
        assertEquals("management", endpoint.path("port").asText());
        assertEquals("/q/metrics", endpoint.path("path").asText());
        // Every Deployment of the base carries the labels the PodMonitor selects, and names its management port.
        for (ObjectNode d : Kustomize.render(Path.of("base")).stream()
                .filter(r -> r.path("kind").asText().equals("Deployment")).toList()) {
            JsonNode template = d.path("spec").path("template");
            assertEquals("vigil", template.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText(),
                    d.path("metadata").path("name").asText());
            boolean management = false;
            for (JsonNode p : template.path("spec").path("containers").get(0).path("ports")) {
                management |= p.path("name").asText().equals("management");
            }
            assertTrue(management, d.path("metadata").path("name") + " names its management port");
        }
    }
}
