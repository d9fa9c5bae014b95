package io.vigil.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * compose.yaml runs the five services on one host as k8s/overlays/local runs them on one node: the same images,
 * entrypoints, ports, health paths, environment, mounts, user, root filesystem, stop grace, requests and limits.
 * The differences it may have are listed here, each with its reason. The manifests are rendered by the real
 * kustomize; compose.yaml is read with SnakeYAML, which resolves its anchors and merge keys as docker-compose does.
 */
class ComposeMatchesManifestsTest {

    private static final Path COMPOSE = Path.of("..", "compose.yaml");
    /** Environment compose sets to other values, and why. */
    private static final Map<String, Set<String>> OTHER_VALUES = Map.of(
            // The broker is compose's service "kafka", not Strimzi's bootstrap Service; the collector likewise.
            "*", Set.of("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"),
            // YOLOX-Nano from ../shared: YOLOv3's weights cannot be had here.
            "object-detector", Set.of("VIGIL_DETECTOR_BACKEND", "VIGIL_DETECTOR_MODEL"));
    /** Environment only k8s sets: the page sits behind the Ingress there; on one host nothing may forward for a caller. */
    private static final Map<String, Set<String>> ONLY_IN_K8S = Map.of(
            "alert-sink", Set.of("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED"));
    /** Each pod's own Kafka user, from Strimzi's Secret: compose's broker is plaintext and knows no users. */
    private static final String KAFKA_USER = "VIGIL_KAFKA_JAAS_CONFIG";
    /** Mounts only k8s has: the Kafka client's TLS/SASL settings (compose's broker is plaintext on its own network). */
    private static final String KAFKA_CLIENT_SETTINGS = "/deployments/config";
    /** Mounts only compose has: the demo camera, Ped2 frames from the host (a cluster's cameras are network streams). */
    private static final Map<String, Set<String>> ONLY_IN_COMPOSE = Map.of("frame-ingest", Set.of("/camera"));
    /** Docker refuses a CPU limit above the host's CPUs; compose sets the limits a 2-CPU host can give. */
    private static final BigDecimal HOST_CPUS = BigDecimal.valueOf(2);

    private static Map<String, Object> compose;
    private static List<ObjectNode> cluster;

    @BeforeAll
    static void read() throws Exception {
        try (Reader in = Files.newBufferedReader(COMPOSE)) {
            compose = new Yaml().load(in);
        }
        cluster = Kustomize.render(Path.of("overlays", "local"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"frame-ingest", "object-detector", "sequence-assembler", "anomaly-scorer", "alert-sink"})
    void composeRunsEachServiceAsTheLocalOverlayDoes(String name) {
        Map<String, Object> service = map(map(compose.get("services")).get(name));
        ObjectNode deployment = Kustomize.find(cluster, "Deployment", name);
        assertNotNull(deployment, name);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);

        // The same image (compose's is the local build) and the image's own entrypoint in both.
        String image = container.path("image").asText();
        String repository = image.substring(image.indexOf("vigil/"), image.lastIndexOf(':'));
        assertEquals(repository + ":latest", service.get("image"), name + ": image");
        assertTrue(container.path("command").isMissingNode() && container.path("args").isMissingNode(), name + ": k8s entrypoint");
        assertNull(service.get("entrypoint"), name + ": compose entrypoint");
        assertNull(service.get("command"), name + ": compose command");

        // Environment: every name and value, but the differences listed above.
        Map<String, String> k8sEnv = environment(container);
        Map<String, String> composeEnv = new TreeMap<>();
        map(service.get("environment")).forEach((k, v) -> composeEnv.put(k, String.valueOf(v)));
        Set<String> onlyInK8s = new java.util.HashSet<>(ONLY_IN_K8S.getOrDefault(name, Set.of()));
        onlyInK8s.add(KAFKA_USER);
        for (var e : k8sEnv.entrySet()) {
            if (onlyInK8s.contains(e.getKey())) {
                assertFalse(composeEnv.containsKey(e.getKey()), name + ": " + e.getKey() + " has no place on one host");
            } else if (OTHER_VALUES.get("*").contains(e.getKey()) || OTHER_VALUES.getOrDefault(name, Set.of()).contains(e.getKey())) {
                assertTrue(composeEnv.containsKey(e.getKey()), name + ": " + e.getKey() + " missing from compose");
            } else {
                assertEquals(e.getValue(), composeEnv.get(e.getKey()), name + ": " + e.getKey());
            }
        }
        assertEquals(Set.of(), diff(composeEnv.keySet(), k8sEnv.keySet()), name + ": environment only compose sets");

        // Ports and health: the API and the management interface on the ports k8s names, readiness on its path.
        int http = containerPort(container, "http");
        int management = containerPort(container, "management");
        assertEquals(String.valueOf(http), composeEnv.get("QUARKUS_HTTP_PORT"), name);
        assertEquals(String.valueOf(management), composeEnv.get("QUARKUS_MANAGEMENT_PORT"), name);
        JsonNode readiness = container.path("readinessProbe").path("httpGet");
        assertEquals("management", readiness.path("port").asText(), name + ": readiness port");
        List<?> check = (List<?>) map(service.get("healthcheck")).get("test");
        URI checked = URI.create(String.valueOf(check.get(check.size() - 1)));
        assertEquals(List.of("CMD", "curl", "-fsS"), check.subList(0, 3), name + ": health check");
        assertEquals(management, checked.getPort(), name + ": health check port");
        assertEquals(readiness.path("path").asText(), checked.getPath(), name + ": health check path");

        // Mounts: each k8s mount is in compose at or under the same path, read-only alike, and compose mounts nothing
        // elsewhere; /tmp is a writable tmpfs where JavaCPP may map its natives (exec).
        List<String[]> composeMounts = new ArrayList<>();
        for (Object v : list(service.get("volumes"))) {
            // source:target[:mode], where the source may be ${VARIABLE:-default}: read from the end.
            String[] parts = String.valueOf(v).split(":");
            String last = parts[parts.length - 1];
            boolean mode = last.equals("ro") || last.equals("rw");
            composeMounts.add(new String[] {parts[parts.length - (mode ? 2 : 1)], String.valueOf(last.equals("ro"))});
        }
        List<String> k8sPaths = new ArrayList<>();
        for (JsonNode m : container.path("volumeMounts")) {
            String path = m.path("mountPath").asText();
            k8sPaths.add(path);
            if (path.equals("/tmp") || path.equals(KAFKA_CLIENT_SETTINGS)) {
                continue;
            }
            boolean readOnly = m.path("readOnly").asBoolean(false);
            List<String[]> under = composeMounts.stream().filter(c -> within(c[0], path)).toList();
            assertFalse(under.isEmpty(), name + ": nothing mounted at " + path);
            under.forEach(c -> assertEquals(String.valueOf(readOnly), c[1], name + ": read-only " + c[0]));
        }
        for (String[] c : composeMounts) {
            assertTrue(ONLY_IN_COMPOSE.getOrDefault(name, Set.of()).contains(c[0]) || k8sPaths.stream().anyMatch(p -> within(c[0], p)), name + ": " + c[0] + " is not mounted in k8s");
        }
        assertTrue(k8sPaths.contains("/tmp"), name);
        assertEquals(List.of("/tmp:exec"), service.get("tmpfs"), name + ": /tmp");

        // Who runs it, and how.
        JsonNode security = container.path("securityContext");
        assertEquals(pod.path("securityContext").path("runAsUser").asText(), String.valueOf(service.get("user")), name + ": user");
        assertEquals(security.path("readOnlyRootFilesystem").asBoolean(), service.get("read_only"), name + ": read-only root");
        assertEquals("ALL", security.path("capabilities").path("drop").get(0).asText(), name);
        assertEquals(List.of("ALL"), service.get("cap_drop"), name + ": capabilities");
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true), name);
        assertEquals(List.of("no-new-privileges:true"), service.get("security_opt"), name + ": privilege escalation");
        assertEquals(pod.path("terminationGracePeriodSeconds").asInt() + "s", service.get("stop_grace_period"), name + ": stop grace");

        // Requests and limits.
        JsonNode resources = container.path("resources");
        assertEquals(bytes(resources.path("limits").path("memory").asText()), bytes(String.valueOf(service.get("mem_limit"))),
                name + ": memory limit");
        assertEquals(bytes(resources.path("requests").path("memory").asText()),
                bytes(String.valueOf(service.get("mem_reservation"))), name + ": memory request");
        assertEquals(cpus(resources.path("requests").path("cpu").asText()).multiply(BigDecimal.valueOf(1024)).intValueExact(),
                service.get("cpu_shares"), name + ": CPU request as shares (1024 = one CPU)");
        BigDecimal cpuLimit = cpus(resources.path("limits").path("cpu").asText());
        if (cpuLimit.compareTo(HOST_CPUS) <= 0) {
            assertEquals(0, cpuLimit.compareTo(new BigDecimal(String.valueOf(service.get("cpus")))), name + ": CPU limit");
        } else {
            assertNull(service.get("cpus"), name + ": a CPU limit above the host's " + HOST_CPUS + " CPUs");
        }
    }

    @Test
    void onlyThePageAndTheBrokersHostListenerArePublished() {
        Map<String, Object> sink = map(map(compose.get("services")).get("alert-sink"));
        int http = containerPort(Kustomize.find(cluster, "Deployment", "alert-sink").path("spec").path("template")
                .path("spec").path("containers").get(0), "http");
        assertEquals(List.of("${VIGIL_PAGE_PORT:-8085}:" + http), sink.get("ports"));
        for (String other : List.of("frame-ingest", "object-detector", "sequence-assembler", "anomaly-scorer")) {
            assertNull(map(map(compose.get("services")).get(other)).get("ports"), other + " publishes nothing");
        }
        // The broker's outside listener, for clients on the host only.
        assertEquals(List.of("127.0.0.1:${VIGIL_KAFKA_PORT:-9094}:9094"), map(map(compose.get("services")).get("kafka")).get("ports"));
    }

    /** The broker (Strimzi's in k8s) runs as unprivileged as the services: the image's user 185, read-only root. */
    @Test
    void theBrokerRunsUnprivileged() {
        Map<String, Object> kafka = map(map(compose.get("services")).get("kafka"));
        assertNull(kafka.get("user"), "the image's user 185");
        assertEquals(true, kafka.get("read_only"));
        assertEquals(List.of("ALL"), kafka.get("cap_drop"));
        assertEquals(List.of("no-new-privileges:true"), kafka.get("security_opt"));
    }

    /** docker-compose itself accepts the file (keys, types, interpolation); under CI=true it must be installed. */
    @Test
    void dockerComposeAcceptsTheFile() throws IOException, InterruptedException {
        if (!Kustomize.onPath("docker-compose")) {
            String missing = "docker-compose is not on the PATH: compose.yaml is not validated by the tool";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
        Process p = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "-q").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker-compose config");
        assertEquals(0, p.exitValue(), out);
    }

    private static boolean within(String path, String dir) {
        return path.equals(dir) || path.startsWith(dir + "/");
    }

    /** The container's environment as k8s gives it: the ConfigMaps it takes whole, then its own entries. */
    private static Map<String, String> environment(JsonNode container) {
        Map<String, String> env = new TreeMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String configMap = from.path("configMapRef").path("name").asText();
            ObjectNode source = Kustomize.find(cluster, "ConfigMap", configMap);
            assertNotNull(source, "ConfigMap " + configMap);
            source.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText());
        }
        return env;
    }

    private static int containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no port named " + name);
    }

    /** Kubernetes quantities (512Mi, 4Gi) and Docker's (512m, 1g, 1536m), both binary, in bytes. */
    static long bytes(String quantity) {
        String q = quantity.trim();
        int i = 0;
        while (i < q.length() && Character.isDigit(q.charAt(i))) {
            i++;
        }
        long n = Long.parseLong(q.substring(0, i));
        return switch (q.substring(i).toLowerCase()) {
            case "", "b" -> n;
            case "k", "ki" -> n << 10;
            case "m", "mi" -> n << 20;
            case "g", "gi" -> n << 30;
            default -> throw new IllegalArgumentException("not a binary memory quantity: " + quantity);
        };
    }

    /** Kubernetes CPU quantities: "2", "250m". */
    private static BigDecimal cpus(String quantity) {
        return quantity.endsWith("m") ? new BigDecimal(quantity.substring(0, quantity.length() - 1)).movePointLeft(3)
                : new BigDecimal(quantity);
    }

    private static Set<String> diff(Set<String> a, Set<String> b) {
        Set<String> out = new java.util.TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    private static List<?> list(Object o) {
        return o == null ? List.of() : (List<?>) o;
    }
}
