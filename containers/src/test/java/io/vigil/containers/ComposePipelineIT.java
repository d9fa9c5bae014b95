package io.vigil.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.evaluation.EvaluateMain;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.testkit.Prerequisites;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;

/**
 * The container twin of local's PipelineEndToEndIT: the images built from this build's packages by
 * {@code containers/build-images.sh}, run by {@code compose.yaml} as a user runs it (docker-compose, started and
 * removed by Testcontainers), with Ped2 test video 02 as the camera. The topics are read from the host through the
 * broker's outside listener and compared with the offline evaluator on the same video; the page shows the event to
 * the operator compose's setup created.
 *
 * <p>Needs a Docker engine and docker-compose: without them the test is skipped, except under {@code CI=true}
 * ({@code .ci/run} installs and starts them). Building the debootstrap base the first time needs root.
 */
class ComposePipelineIT {

    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    /** containers/compose/cameras.properties. */
    private static final String CAMERA = "cam-02";
    private static final int FRAMES = 180;
    private static final String BASE_IMAGE = "vigil/base-jre:17";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOGS = Path.of("target", "compose-logs").toAbsolutePath();

    @TempDir
    Path offline;

    @Test
    void ped2Video02FlowsThroughTheImagesAsComposeRunsThem() throws Exception {
        Path video = SharedData.ped2TestVideo("02");
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        Path model = HOME.resolve("models/ssmtl-ped2-shallow-narrow.onnx");
        requireDocker();
        long buildStart = System.nanoTime();
        buildImages();
        System.out.printf("images built in %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - buildStart));

        int kafkaPort = LocalKafkaBroker.freePort();
        int pagePort = LocalKafkaBroker.freePort();
        String project = "vigilit" + UUID.randomUUID().toString().substring(0, 8);
        long upStart = System.nanoTime();
        DockerComposeContainer<?> chain = new DockerComposeContainer<>(project, HOME.resolve("compose.yaml").toFile())
                .withLocalCompose(true)
                .withPull(false)
                .withEnv(Map.of("VIGIL_CAMERA", video.toString(), "VIGIL_DETECTOR_MODEL_FILE", yolox.toString(),
                        "VIGIL_MODEL_FILE", model.toString(), "VIGIL_KAFKA_PORT", String.valueOf(kafkaPort),
                        "VIGIL_PAGE_PORT", String.valueOf(pagePort)));
        try (chain) {
            chain.start();
            try {
                streamAndCheck(chain, kafkaPort, pagePort, upStart, yolox, model);
            } finally {
                saveLogs(chain);
            }
        }
    }

    private void streamAndCheck(DockerComposeContainer<?> chain, int kafkaPort, int pagePort, long upStart, Path yolox,
            Path model) throws Exception {
        String bootstrap = "localhost:" + kafkaPort;
        List<FrameDetections> detections = read(bootstrap, Topics.DETECTIONS, FRAMES, Duration.ofMinutes(5)).stream()
                .map(VigilSerdes.FRAME_DETECTIONS::parse).toList();
        System.out.printf("%d frames detected %d s after docker-compose up%n", detections.size(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - upStart));
        assertEquals(FRAMES, detections.size(), "one detections message per frame; the services' logs: " + LOGS);
        Set<Long> frames = new HashSet<>();
        detections.forEach(d -> frames.add(d.getFrameIndex()));
        assertEquals(FRAMES, frames.size(), "every frame once");
        int objects = detections.stream().mapToInt(FrameDetections::getDetectionsCount).sum();

        Map<String, String> args = new LinkedHashMap<>(Map.of("--data", SharedData.require("datasets/ucsd-ped2").toString(),
                "--videos", "02", "--model", model.toString(), "--detector", "yolox", "--detector-model", yolox.toString()));
        args.put("--threads", "2");
        args.put("--out", offline.toString());
        assertEquals(0, EvaluateMain.run(args));
        JsonNode report = JSON.readTree(offline.resolve("report.json").toFile());
        JsonNode offlineScores = report.get("videos").get(0).get("frameScores");

        List<ObjectSequence> sequences = read(bootstrap, Topics.SEQUENCES, objects, Duration.ofMinutes(2)).stream()
                .map(VigilSerdes.OBJECT_SEQUENCE::parse).toList();
        long rejected = read(bootstrap, Topics.DEAD_LETTER, 0, Duration.ofSeconds(5)).size();
        assertEquals(objects, sequences.size() + rejected, "every detection a sequence (or a dead letter)");
        assertEquals(report.get("videos").get(0).get("sequences").asInt(), sequences.size(), "the same objects as offline");
        assertEquals(sequences.size(), sequences.stream().map(s -> s.getMiddleFrameIndex() + " " + s.getDetection())
                .distinct().count(), "every sequence once");
        List<ObjectScore> scores = read(bootstrap, Topics.OBJECT_SCORES, sequences.size(), Duration.ofMinutes(2)).stream()
                .map(VigilSerdes.OBJECT_SCORE::parse).toList();
        assertEquals(sequences.size(), scores.size(), "every sequence scored once");

        List<FrameScore> frameScores = read(bootstrap, Topics.FRAME_SCORES, FRAMES, Duration.ofMinutes(2)).stream()
                .map(VigilSerdes.FRAME_SCORE::parse).toList();
        assertEquals(FRAMES, frameScores.size(), "a score per frame");
        for (FrameScore f : frameScores) {
            double expected = offlineScores.get((int) f.getFrameIndex()).asDouble();
            assertEquals(expected, f.getSmoothedScore(), 1e-3 * Math.max(1, Math.abs(expected)),
                    "frame " + f.getFrameIndex() + ": streamed vs offline");
        }

        List<AnomalyEvent> events = read(bootstrap, Topics.ANOMALY_EVENTS, 1, Duration.ofMinutes(1)).stream()
                .map(VigilSerdes.ANOMALY_EVENT::parse).toList();
        assertTrue(events.stream().anyMatch(e -> e.getStartFrameIndex() <= 179 && e.getEndFrameIndex() >= 94),
                "an event overlapping the labelled anomaly (frames 94..179): " + events.stream()
                        .map(e -> e.getState() + " " + e.getEventId() + " " + e.getStartFrameIndex() + ".." + e.getEndFrameIndex())
                        .toList());
        System.out.printf("the event on the topic %d s after docker-compose up%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - upStart));

        // What a user sees: the operator's login, then the event on the page's API.
        ContainerState sink = chain.getContainerByServiceName("alert-sink_1").orElseThrow();
        String password = sink.execInContainer("cat", "/etc/vigil/login/operator.password").getStdout().trim();
        assertTrue(password.length() >= 12, "the operator's password from compose's setup");
        // The page's view follows the events topic a moment behind it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode shown = pageEvents(pagePort, password);
        while (!overlapsTheAnomaly(shown) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            shown = pageEvents(pagePort, password);
        }
        assertTrue(overlapsTheAnomaly(shown), "the page's events: " + shown);
    }

    private static boolean overlapsTheAnomaly(JsonNode events) {
        for (JsonNode e : events) {
            if (e.get("camera").asText().equals(CAMERA) && e.get("startFrame").asLong() <= 179 && e.get("endFrame").asLong() >= 94) {
                return true;
            }
        }
        return false;
    }

    /** Logs in as the operator and lists the events, as the page does. */
    private static JsonNode pageEvents(int port, String password) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://localhost:" + port;
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", "operator",
                        "password", password)))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        String token = JSON.readTree(login.body()).get("token").asText();
        HttpResponse<String> events = http.send(HttpRequest.newBuilder(URI.create(base + "/events?camera=" + CAMERA))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, events.statusCode(), events.body());
        return JSON.readTree(events.body());
    }

    private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, String topic, int expected, Duration timeout) {
        return TopicReader.read(bootstrap, topic, r -> CAMERA.equals(r.key()), expected, timeout, Duration.ofSeconds(3));
    }

    /** A Docker engine and docker-compose, or a skip (a failure under CI). */
    private static void requireDocker() {
        String missing = null;
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            missing = "no Docker engine answers";
        } else if (!Prerequisites.onPath("docker-compose")) {
            missing = "docker-compose is not on the PATH";
        } else if (!imageExists(BASE_IMAGE) && !"root".equals(System.getProperty("user.name"))) {
            missing = "the base image " + BASE_IMAGE + " is missing, and building it (debootstrap) needs root: "
                    + "sudo containers/build-images.sh";
        }
        if (missing != null) {
            Prerequisites.missing(missing + ": the chain cannot run as containers (.ci/run installs docker.io and "
                    + "docker-compose)");
        }
    }

    /** The README's image build, on this build's packages: the base once, the service and broker images every time. */
    private static void buildImages() throws IOException, InterruptedException {
        Path log = Path.of("target", "build-images.log").toAbsolutePath();
        Process p = new ProcessBuilder(HOME.resolve("containers/build-images.sh").toString()).directory(HOME.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            Assertions.fail("containers/build-images.sh took over 20 minutes; " + log);
        }
        assertEquals(0, p.exitValue(), "containers/build-images.sh:\n" + Files.readString(log));
        System.out.print(Files.readString(log));
    }

    private static boolean imageExists(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }


    /** Every container's log, kept in target/ after the containers are gone. */
    private static void saveLogs(DockerComposeContainer<?> chain) throws IOException {
        Files.createDirectories(LOGS);
        for (String service : List.of("kafka", "setup", "frame-ingest", "object-detector", "sequence-assembler",
                "anomaly-scorer", "alert-sink")) {
            Optional<ContainerState> container = chain.getContainerByServiceName(service + "_1");
            Files.writeString(LOGS.resolve(service + ".log"), container.map(ContainerState::getLogs).orElse("(no container)\n"));
        }
    }
}
