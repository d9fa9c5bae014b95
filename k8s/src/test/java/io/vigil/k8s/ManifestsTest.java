package io.vigil.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.proto.ServiceAccess;
import io.vigil.proto.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Renders k8s/overlays/local and k8s/overlays/gpu and checks what a deployment of Vigil needs. */
class ManifestsTest {

    private static final Set<String> SERVICES = Set.of("frame-ingest", "object-detector", "sequence-assembler",
            "anomaly-scorer", "alert-sink");
    /** Consumer group of each scaled stage and the topic it reads (the services' constants and application ids). */
    private static final Map<String, String[]> STAGE_INPUT = Map.of(
            "object-detector", new String[] {"vigil-object-detector", Topics.FRAMES},
            "sequence-assembler", new String[] {"vigil-sequence-assembler", Topics.DETECTIONS},
            "anomaly-scorer", new String[] {"vigil-anomaly-scorer", Topics.SEQUENCES},
            "alert-sink", new String[] {"vigil-alert-sink", Topics.OBJECT_SCORES});

    private static List<ObjectNode> render(String overlay) throws Exception {
        return Kustomize.render(Path.of("overlays", overlay));
    }

    private static List<ObjectNode> ofKind(List<ObjectNode> all, String kind) {
        return all.stream().filter(r -> r.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode container(ObjectNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** Health and metrics: every service's Quarkus management interface. */
    private static final int MANAGEMENT_PORT = 9000;
    private static final int API_PORT = 8080;

    private static int containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asInt();
            }
        }
        return -1;
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    @Test
    void theRealKustomizeRendersTheBaseAndEveryOverlay() throws Exception {
        List<ObjectNode> base = Kustomize.render(Path.of("base"));
        assertEquals(4, ofKind(base, "ScaledObject").size(), "the base autoscales four stages");
        List<ObjectNode> local = render("local");
        assertTrue(ofKind(local, "ScaledObject").isEmpty() && ofKind(local, "TriggerAuthentication").isEmpty(),
                "no autoscaling on one node");
        assertNotNull(Kustomize.find(local, "Secret", "vigil-kafka-client"), "the generated client settings");
        assertEquals(4, ofKind(render("gpu"), "ScaledObject").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void everyServiceIsADeploymentWithProbesResourcesAnImageAndMetrics(String overlay) throws Exception {
        List<ObjectNode> all = render(overlay);
        List<ObjectNode> deployments = ofKind(all, "Deployment");
        assertEquals(SERVICES, new TreeSet<>(deployments.stream().map(d -> d.path("metadata").path("name").asText()).toList()));
        for (ObjectNode d : deployments) {
            String name = d.path("metadata").path("name").asText();
            assertEquals("vigil", d.path("metadata").path("namespace").asText(), name);
            JsonNode c = container(d);
            assertTrue(c.path("image").asText().startsWith("registry.example.com/vigil/" + name + ":0.1.0"),
                    name + " image " + c.path("image"));
            assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), name);
            assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), name);
            assertEquals("/q/health/started", c.path("startupProbe").path("httpGet").path("path").asText(), name);
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertEquals("management", c.path(probe).path("httpGet").path("port").asText(), name + " " + probe);
            }
            assertEquals(MANAGEMENT_PORT, containerPort(c, "management"), name);
            assertEquals(Integer.toString(MANAGEMENT_PORT), env(c, "QUARKUS_MANAGEMENT_PORT"), name);
            for (String kind : List.of("requests", "limits")) {
                for (String resource : List.of("cpu", "memory")) {
                    assertFalse(c.path("resources").path(kind).path(resource).asText().isEmpty(), name + " " + kind + "." + resource);
                }
            }
            JsonNode annotations = d.path("spec").path("template").path("metadata").path("annotations");
            assertEquals("true", annotations.path("prometheus.io/scrape").asText(), name);
            assertEquals("/q/metrics", annotations.path("prometheus.io/path").asText(), name);
            assertEquals(Integer.toString(MANAGEMENT_PORT), annotations.path("prometheus.io/port").asText(), name);
            for (JsonNode port : Kustomize.find(all, "Service", name).path("spec").path("ports")) {
                assertEquals("http", port.path("targetPort").asText(), name + ": the management port is in no Service");
            }
            assertEquals("vigil-config", c.path("envFrom").get(0).path("configMapRef").path("name").asText(), name);
            assertNotNull(Kustomize.find(all, "Service", name), name + " has a Service");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void everyTopicExistsWithEnoughPartitionsForItsStage(String overlay) throws Exception {
        List<ObjectNode> all = render(overlay);
        Map<String, Integer> partitions = new HashMap<>();
        for (ObjectNode t : ofKind(all, "KafkaTopic")) {
            partitions.put(t.path("spec").path("topicName").asText(), t.path("spec").path("partitions").asInt());
        }
        for (Topics.TopicSpec spec : Topics.DEFAULTS) {
            assertTrue(partitions.containsKey(spec.name()), "KafkaTopic for " + spec.name());
            assertTrue(partitions.get(spec.name()) >= spec.partitions(), spec.name() + ": " + partitions.get(spec.name()));
        }
        assertEquals(partitions.get(Topics.FRAMES), partitions.get(Topics.DETECTIONS), "frames/detections co-partitioned");
        assertEquals(partitions.get(Topics.DETECTIONS), partitions.get(Topics.OBJECT_SCORES), "alert-sink joins co-partitioned");
        for (ObjectNode s : ofKind(all, "ScaledObject")) {
            String target = s.path("spec").path("scaleTargetRef").path("name").asText();
            JsonNode trigger = s.path("spec").path("triggers").get(0).path("metadata");
            String[] expected = STAGE_INPUT.get(target);
            assertNotNull(expected, "scaled stage " + target);
            assertEquals(expected[0], trigger.path("consumerGroup").asText(), target);
            assertEquals(expected[1], trigger.path("topic").asText(), target);
            int max = s.path("spec").path("maxReplicaCount").asInt();
            assertTrue(max <= partitions.get(expected[1]), target + " scales to " + max + " > partitions of " + expected[1]);
        }
        Set<String> groups = new TreeSet<>();
        ofKind(all, "ScaledObject").forEach(s -> groups.add(s.path("metadata").path("name").asText()));
        assertEquals(overlay.equals("local") ? Set.of() : STAGE_INPUT.keySet(), groups, "autoscaling only outside local");
    }

    @Test
    void gpuOverlayRequestsGpusExactlyWhereOnnxRuntimeRunsCuda() throws Exception {
        for (String overlay : List.of("local", "gpu")) {
            for (ObjectNode d : ofKind(render(overlay), "Deployment")) {
                String name = d.path("metadata").path("name").asText();
                JsonNode c = container(d);
                boolean gpu = c.path("resources").path("limits").has("nvidia.com/gpu");
                boolean cuda = "cuda".equals(env(c, "VIGIL_SCORER_DEVICE")) || "cuda".equals(env(c, "VIGIL_DETECTOR_DEVICE"));
                assertEquals(cuda, gpu, overlay + "/" + name + ": GPU limit " + gpu + " but CUDA " + cuda);
                boolean expectGpu = overlay.equals("gpu") && (name.equals("anomaly-scorer") || name.equals("object-detector"));
                assertEquals(expectGpu, gpu, overlay + "/" + name);
                JsonNode pod = d.path("spec").path("template").path("spec");
                if (gpu) {
                    assertEquals(1, c.path("resources").path("limits").path("nvidia.com/gpu").asInt());
                    assertEquals("true", pod.path("nodeSelector").path("nvidia.com/gpu.present").asText(), name);
                    assertEquals("nvidia.com/gpu", pod.path("tolerations").get(0).path("key").asText(), name);
                    assertTrue(c.path("image").asText().endsWith("-gpu"), name + " runs the onnxruntime_gpu image");
                    assertTrue(Files.exists(Path.of("..", name, "src/main/docker/Dockerfile.gpu")), name + " Dockerfile.gpu");
                } else {
                    assertFalse(c.path("image").asText().endsWith("-gpu"), name);
                    assertTrue(pod.path("tolerations").isMissingNode(), name);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void everyServiceReadsItsKafkaCredentialsFromTheClientSecret(String overlay) throws Exception {
        for (ObjectNode d : ofKind(render(overlay), "Deployment")) {
            String name = d.path("metadata").path("name").asText();
            JsonNode c = container(d);
            // Quarkus reads /deployments/config/application.properties (the working directory's config/) by itself.
            String volume = null;
            for (JsonNode m : c.path("volumeMounts")) {
                if (m.path("mountPath").asText().equals("/deployments/config")) {
                    assertTrue(m.path("readOnly").asBoolean(), name + " mounts its client settings read-only");
                    volume = m.path("name").asText();
                }
            }
            assertNotNull(volume, name + " mounts the Kafka client settings at /deployments/config");
            String secret = null;
            for (JsonNode v : d.path("spec").path("template").path("spec").path("volumes")) {
                if (v.path("name").asText().equals(volume)) {
                    secret = v.path("secret").path("secretName").asText();
                }
            }
            assertEquals("vigil-kafka-client", secret, name);
            for (JsonNode e : c.path("env")) {
                assertFalse(e.path("value").asText().toLowerCase().matches("(?s).*(password|jaas|sasl\\.).*"),
                        name + " has a credential in plain env " + e.path("name").asText());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void eachServiceIsItsOwnKafkaUserWithExactlyTheAclsOfServiceAccess(String overlay) throws Exception {
        List<ObjectNode> all = render(overlay);
        // The KafkaUsers, as the table of grants they spell.
        Map<String, Set<String>> users = new TreeMap<>();
        for (ObjectNode u : ofKind(all, "KafkaUser")) {
            Set<String> grants = new TreeSet<>();
            for (JsonNode acl : u.path("spec").path("authorization").path("acls")) {
                JsonNode r = acl.path("resource");
                for (JsonNode op : acl.path("operations")) {
                    grants.add(r.path("type").asText() + " " + r.path("name").asText() + " " + r.path("patternType").asText()
                            + " " + op.asText());
                }
            }
            assertEquals("scram-sha-512", u.path("spec").path("authentication").path("type").asText());
            users.put(u.path("metadata").path("name").asText(), grants);
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        for (ServiceAccess.Principal p : ServiceAccess.all()) {
            Set<String> grants = new TreeSet<>();
            for (ServiceAccess.Grant g : p.grants()) {
                String resource = switch (g.resource()) {
                    case TOPIC -> "topic";
                    case GROUP -> "group";
                    case TRANSACTIONAL_ID -> "transactionalId";
                };
                String pattern = g.pattern() == ServiceAccess.Pattern.PREFIXED ? "prefix" : "literal";
                for (ServiceAccess.Operation op : g.operations()) {
                    String name = op.name().charAt(0) + op.name().substring(1).toLowerCase();
                    grants.add(resource + " " + g.name() + " " + pattern + " " + name);
                }
            }
            expected.put(p.user(), grants);
        }
        assertEquals(expected, users, "the KafkaUsers are ServiceAccess");
        assertTrue(users.get(ServiceAccess.OBJECT_DETECTOR).stream().noneMatch(g -> g.contains("vigil.anomaly-events")),
                "only the alert-sink writes events");

        // Each pod authenticates as its own user, never another's.
        for (ObjectNode d : ofKind(all, "Deployment")) {
            String name = d.path("metadata").path("name").asText();
            JsonNode jaas = null;
            for (JsonNode e : container(d).path("env")) {
                if (e.path("name").asText().equals("VIGIL_KAFKA_JAAS_CONFIG")) {
                    jaas = e.path("valueFrom").path("secretKeyRef");
                }
            }
            assertNotNull(jaas, name + " takes its Kafka user's JAAS config");
            assertEquals("vigil-" + name, jaas.path("name").asText(), name);
            assertEquals("sasl.jaas.config", jaas.path("key").asText(), name);
            assertTrue(users.containsKey("vigil-" + name), name + " has a KafkaUser");
        }
        if (overlay.equals("gpu")) {
            JsonNode keda = Kustomize.find(all, "Secret", "vigil-keda-kafka").path("stringData");
            assertEquals(ServiceAccess.KEDA, keda.path("username").asText(), "KEDA reads lag as its read-only user");
        } else {
            assertTrue(Kustomize.find(all, "Kafka", "vigil").path("spec").path("kafka").path("authorization").isMissingNode(),
                    "the local cluster's plaintext listener has no users, so no authorizer");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void theAssemblerChecksTheModelTheScorerServes(String overlay) throws Exception {
        Map<String, ObjectNode> deployments = new HashMap<>();
        ofKind(render(overlay), "Deployment").forEach(d -> deployments.put(d.path("metadata").path("name").asText(), d));
        String served = env(container(deployments.get("anomaly-scorer")), "VIGIL_SCORER_MODEL");
        assertNotNull(served);
        assertEquals(served, env(container(deployments.get("sequence-assembler")), "VIGIL_ASSEMBLER_MODEL"));
        for (String name : List.of("anomaly-scorer", "sequence-assembler")) {
            ObjectNode d = deployments.get(name);
            String mount = null;
            for (JsonNode m : container(d).path("volumeMounts")) {
                if (served.startsWith(m.path("mountPath").asText() + "/")) {
                    assertTrue(m.path("readOnly").asBoolean(), name + " mounts the models read-only");
                    mount = m.path("name").asText();
                }
            }
            assertNotNull(mount, name + " mounts the volume holding " + served);
            boolean fromModels = false;
            for (JsonNode v : d.path("spec").path("template").path("spec").path("volumes")) {
                fromModels |= v.path("name").asText().equals(mount)
                        && v.path("persistentVolumeClaim").path("claimName").asText().equals("vigil-models");
            }
            assertTrue(fromModels, name + " reads " + served + " from the vigil-models claim");
        }
    }

    @Test
    void inTheScoringInAssemblerOverlayTheAssemblerScoresAsItsOwnUserAndNoScorerRuns() throws Exception {
        List<ObjectNode> all = render("scoring-in-assembler");
        Set<String> deployments = new TreeSet<>(ofKind(all, "Deployment").stream()
                .map(d -> d.path("metadata").path("name").asText()).toList());
        Set<String> expected = new TreeSet<>(SERVICES);
        expected.remove("anomaly-scorer");
        assertEquals(expected, deployments);
        assertNull(Kustomize.find(all, "Service", "anomaly-scorer"));
        assertNull(Kustomize.find(all, "ScaledObject", "anomaly-scorer"), "no autoscaler for a Deployment that is gone");
        assertNotNull(Kustomize.find(all, "ScaledObject", "sequence-assembler"));

        ObjectNode assembler = Kustomize.find(all, "Deployment", "sequence-assembler");
        JsonNode c = container(assembler);
        assertNull(env(c, "VIGIL_ASSEMBLER_MODEL"), "its scoring model is the one it checks");
        for (String[] setting : new String[][] {{"VIGIL_ASSEMBLER_SCORING_MODEL", "vigil-models"},
                {"VIGIL_ASSEMBLER_SCORING_REGISTRY", "vigil-model-registry"}}) {
            String path = env(c, setting[0]);
            assertNotNull(path, setting[0]);
            JsonNode mount = mountOf(c, path);
            assertNotNull(mount, "mounts " + path);
            assertTrue(mount.path("readOnly").asBoolean(), path);
            assertEquals(setting[1], claimOf(assembler, mount.path("name").asText()), path);
        }
        String secret = null;
        for (JsonNode e : c.path("env")) {
            if (e.path("name").asText().equals("VIGIL_KAFKA_JAAS_CONFIG")) {
                secret = e.path("valueFrom").path("secretKeyRef").path("name").asText();
            }
        }
        assertEquals(ServiceAccess.SCORING_ASSEMBLER, secret, "the user that writes scores, not sequences");
        String acls = Kustomize.find(all, "KafkaUser", ServiceAccess.SCORING_ASSEMBLER).path("spec").path("authorization")
                .toString();
        assertTrue(acls.contains(Topics.OBJECT_SCORES) && !acls.contains(Topics.SEQUENCES), acls);
        assertEquals("2", c.path("resources").path("requests").path("cpu").asText(), "the scorer's CPU comes along");
    }

    /** The claim a pod's volume named {@code volume} binds, or null. */
    private static String claimOf(ObjectNode workload, String volume) {
        for (JsonNode v : workload.path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                return v.path("persistentVolumeClaim").path("claimName").asText(null);
            }
        }
        return null;
    }

    /** The kind of a workload's volume: emptyDir, secret, persistentVolumeClaim... */
    private static String volumeKind(ObjectNode workload, String volume) {
        for (JsonNode v : workload.path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                List<String> kinds = new ArrayList<>();
                v.fieldNames().forEachRemaining(kinds::add);
                kinds.remove("name");
                return kinds.get(0);
            }
        }
        return null;
    }

    /** The mount of {@code path}'s volume in a container: its volume name and whether it is read-only. */
    private static JsonNode mountOf(JsonNode container, String path) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (path.equals(m.path("mountPath").asText()) || path.startsWith(m.path("mountPath").asText() + "/")) {
                return m;
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void theScorerReadsTheModelRegistryAndTheAlertSinkAlsoWritesZones(String overlay) throws Exception {
        List<ObjectNode> all = render(overlay);
        ObjectNode claim = Kustomize.find(all, "PersistentVolumeClaim", "vigil-model-registry");
        assertNotNull(claim);
        assertEquals("ReadWriteMany", claim.path("spec").path("accessModes").get(0).asText(), "written by training Jobs");
        for (String[] reader : new String[][] {{"anomaly-scorer", "VIGIL_SCORER_REGISTRY"}, {"alert-sink", "VIGIL_ALERTS_REGISTRY"}}) {
            ObjectNode d = Kustomize.find(all, "Deployment", reader[0]);
            String path = env(container(d), reader[1]);
            assertNotNull(path, reader[0] + " sets " + reader[1]);
            JsonNode mount = mountOf(container(d), path);
            assertNotNull(mount, reader[0] + " mounts " + path);
            // The scorer only reads it; the alert-sink also writes cameras' ignore zones drawn on its page.
            assertEquals(reader[0].equals("anomaly-scorer"), mount.path("readOnly").asBoolean(), reader[0]);
            assertEquals("vigil-model-registry", claimOf(d, mount.path("name").asText()), reader[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"train-camera", "train-camera-gpu"})
    void theTrainingJobReadsTheCamerasFramesAndWritesTheRegistry(String job) throws Exception {
        List<ObjectNode> all = Kustomize.render(Path.of("jobs", job));
        ObjectNode j = Kustomize.find(all, "Job", "vigil-train-camera");
        assertNotNull(j);
        assertEquals("vigil", j.path("metadata").path("namespace").asText());
        JsonNode c = container(j);
        assertTrue(c.path("image").asText().startsWith("registry.example.com/vigil/model-trainer:0.1.0"), c.path("image").asText());
        Map<String, String> args = new HashMap<>();
        for (JsonNode a : c.path("args")) {
            String[] kv = a.asText().split("=", 2);
            args.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        assertEquals("$(KAFKA_BOOTSTRAP_SERVERS)", args.get("--from-topic"), "the services' broker (vigil-config)");
        assertEquals("$(VIGIL_TRAIN_CAMERA)", args.get("--camera"));
        ObjectNode settings = ofKind(all, "ConfigMap").stream().filter(m -> m.path("metadata").path("name").asText()
                .startsWith("vigil-train-camera")).findFirst().orElseThrow();
        for (String variable : List.of("VIGIL_TRAIN_CAMERA", "VIGIL_TRAIN_SINCE", "VIGIL_TRAIN_EPOCHS",
                "VIGIL_TRAIN_EVENTS_PER_DAY")) {
            assertTrue(settings.path("data").has(variable), variable);
        }
        JsonNode registry = mountOf(c, args.get("--register"));
        assertFalse(registry.path("readOnly").asBoolean(), "the Job writes the registry");
        assertEquals("vigil-model-registry", claimOf(j, registry.path("name").asText()));
        assertEquals("vigil-models", claimOf(j, mountOf(c, args.get("--detector-model")).path("name").asText()));
        assertNotNull(mountOf(c, args.get("--kafka-config")), "the client settings Secret");
        assertNotNull(mountOf(c, args.get("--out")), "a writable work directory");
        JsonNode security = c.path("securityContext");
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean() && !security.path("allowPrivilegeEscalation").asBoolean()
                && security.path("capabilities").path("drop").get(0).asText().equals("ALL"), security.toString());
        assertTrue(j.path("spec").path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean());
        assertEquals("Never", j.path("spec").path("template").path("spec").path("restartPolicy").asText());
        assertEquals(job.endsWith("gpu"), c.path("resources").path("limits").has("nvidia.com/gpu"), "a GPU in the gpu variant");
        assertTrue(Files.exists(Path.of("..", "model-trainer", "src/main/docker/Dockerfile.jvm")), "the Job's image");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu", "scoring-in-assembler"})
    void everyPodRunsAsNonRootOnAReadOnlyRootWithoutPrivilegesOrCapabilities(String overlay) throws Exception {
        for (ObjectNode d : ofKind(render(overlay), "Deployment")) {
            String name = d.path("metadata").path("name").asText();
            JsonNode pod = d.path("spec").path("template").path("spec");
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), name);
            assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText(), name);
            JsonNode c = container(d);
            JsonNode security = c.path("securityContext");
            assertTrue(security.path("readOnlyRootFilesystem").asBoolean(), name);
            assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true), name);
            assertEquals("[\"ALL\"]", security.path("capabilities").path("drop").toString(), name);
            assertNotNull(mountOf(c, "/tmp"), name + ": native libraries unpack into a writable /tmp");
            assertEquals("emptyDir", volumeKind(d, mountOf(c, "/tmp").path("name").asText()), name);
            assertTrue(env(c, "JAVA_OPTS_APPEND").contains("-Dorg.bytedeco.javacpp.cachedir=/tmp/"), name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void networkPoliciesDenyByDefaultAndAllowOnlyTheChainsFlows(String overlay) throws Exception {
        List<ObjectNode> all = render(overlay);
        Map<String, ObjectNode> policies = new HashMap<>();
        ofKind(all, "NetworkPolicy").forEach(p -> policies.put(p.path("metadata").path("name").asText(), p));
        for (ObjectNode d : ofKind(all, "Deployment")) {
            assertEquals("vigil", d.path("spec").path("template").path("metadata").path("labels")
                    .path("app.kubernetes.io/part-of").asText(), d.path("metadata").path("name") + " is under the policies");
        }
        JsonNode deny = policies.get("vigil-default-deny").path("spec");
        assertEquals("vigil", deny.path("podSelector").path("matchLabels").path("app.kubernetes.io/part-of").asText());
        assertEquals("[\"Ingress\",\"Egress\"]", deny.path("policyTypes").toString());
        assertTrue(deny.path("ingress").isMissingNode() && deny.path("egress").isMissingNode(), "deny: no rule");

        // Every ingress rule into a Vigil pod: Prometheus to the management port, the Ingress controller to the API.
        Map<String, Integer> ingressRules = new HashMap<>();
        for (ObjectNode p : policies.values()) {
            for (JsonNode rule : p.path("spec").path("ingress")) {
                String from = rule.path("from").get(0).path("namespaceSelector").path("matchLabels")
                        .path("kubernetes.io/metadata.name").asText();
                assertEquals(1, rule.path("ports").size(), p.path("metadata").path("name").asText());
                ingressRules.put(from, rule.path("ports").get(0).path("port").asInt());
            }
        }
        assertEquals(Map.of("monitoring", MANAGEMENT_PORT, "ingress-nginx", API_PORT), ingressRules);
        assertEquals("alert-sink", policies.get("vigil-ingress-to-alert-sink").path("spec").path("podSelector")
                .path("matchLabels").path("app.kubernetes.io/name").asText(), "only the alert-sink is reached from outside");

        // Out: DNS, the brokers and the trace collector for all; cameras for frame-ingest; HTTPS (identity provider, webhook)
        // for the alert-sink.
        JsonNode toKafka = policies.get("vigil-to-kafka-and-dns").path("spec").path("egress").get(1);
        assertEquals("vigil", toKafka.path("to").get(0).path("podSelector").path("matchLabels").path("strimzi.io/cluster").asText());
        assertEquals("frame-ingest", policies.get("vigil-frame-ingest-to-cameras").path("spec").path("podSelector")
                .path("matchLabels").path("app.kubernetes.io/name").asText());
        assertEquals("alert-sink", policies.get("vigil-alert-sink-out").path("spec").path("podSelector")
                .path("matchLabels").path("app.kubernetes.io/name").asText());
        JsonNode toCollector = policies.get("vigil-to-otel-collector").path("spec").path("egress");
        assertEquals(1, toCollector.size());
        assertEquals("monitoring", toCollector.get(0).path("to").get(0).path("namespaceSelector").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText(), "traces go to the monitoring namespace only");
        assertEquals("[4317, 4318]", toCollector.get(0).path("ports").findValues("port").toString());
        assertEquals(7, policies.size(), policies.keySet().toString());
        // ... and the brokers let in only Vigil's pods (Strimzi writes that policy from each listener's peers).
        for (JsonNode listener : Kustomize.find(all, "Kafka", "vigil").path("spec").path("kafka").path("listeners")) {
            assertEquals("vigil", listener.path("networkPolicyPeers").get(0).path("podSelector").path("matchLabels")
                    .path("app.kubernetes.io/part-of").asText(), listener.path("name").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    void theAlertSinkIsReachedOverTlsThroughTheIngressAndChecksTokens(String overlay) throws Exception {
        List<ObjectNode> all = render(overlay);
        JsonNode ingress = Kustomize.find(all, "Ingress", "alert-sink").path("spec");
        String host = ingress.path("rules").get(0).path("host").asText();
        assertEquals(host, ingress.path("tls").get(0).path("hosts").get(0).asText(), "TLS for the host it serves");
        assertFalse(ingress.path("tls").get(0).path("secretName").asText().isEmpty());
        JsonNode backend = ingress.path("rules").get(0).path("http").path("paths").get(0).path("backend").path("service");
        assertEquals("alert-sink", backend.path("name").asText());
        assertEquals("http", backend.path("port").path("name").asText());
        assertEquals(1, ofKind(all, "Ingress").size(), "nothing else is exposed");

        JsonNode c = container(Kustomize.find(all, "Deployment", "alert-sink"));
        assertNotNull(env(c, "MP_JWT_VERIFY_PUBLICKEY_LOCATION"), "tokens are checked against a key");
        assertNotNull(env(c, "MP_JWT_VERIFY_ISSUER"));
        assertEquals("vigil", env(c, "MP_JWT_VERIFY_AUDIENCES"), "only tokens issued for Vigil");
        assertTrue(env(c, "VIGIL_ALERTS_AUTH_ENABLED") == null, "authentication stays on");
        if (overlay.equals("local")) {
            assertEquals("/etc/vigil/login/users", env(c, "VIGIL_ALERTS_AUTH_USERS_FILE"), "the built-in login");
            assertNotNull(mountOf(c, "/etc/vigil/login/users"));
        } else {
            assertTrue(env(c, "MP_JWT_VERIFY_PUBLICKEY_LOCATION").startsWith("https://"), "the identity provider's keys");
        }
    }

    @Test
    void everyServiceHasAQuarkusDockerfile() {
        for (String service : SERVICES) {
            Path dockerfile = Path.of("..", service, "src/main/docker/Dockerfile.jvm");
            assertTrue(Files.exists(dockerfile), dockerfile.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu", "scoring-in-assembler"})
    void noCredentialsInTheManifests(String overlay) throws Exception {
        List<String> problems = new ArrayList<>();
        for (ObjectNode s : ofKind(render(overlay), "Secret")) {
            List<String> values = new ArrayList<>();
            s.path("stringData").properties().forEach(e -> values.add(e.getKey() + "=" + e.getValue().asText()));
            s.path("data").properties().forEach(e -> values.add(e.getKey() + "="
                    + new String(Base64.getMimeDecoder().decode(e.getValue().asText())))); // kustomize wraps long base64
            for (String v : values) {
                if (v.toLowerCase().matches("(?s).*(password|jaas|secret|token)\\s*=.*")) {
                    problems.add(s.path("metadata").path("name").asText() + ": " + v);
                }
            }
        }
        assertTrue(problems.isEmpty(), problems.toString());
    }
}
