package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What vigil-local's options turn into: the settings each service process is started with. */
class VigilLocalOptionsTest {

    private static Map<String, String> ingest(LocalOptions o) {
        return LocalServices.services(o, "localhost:9092").stream().filter(s -> s.name().equals("frame-ingest")).findFirst()
                .orElseThrow().properties();
    }

    @Test
    void fpsCapsEveryVirtualCamera() {
        LocalOptions o = LocalOptions.parse(new String[] {"--source", "/videos/02", "--cameras", "2", "--fps", "10"});
        Map<String, String> ingest = ingest(o);
        assertEquals("${VIGIL_SOURCE_URI}", ingest.get("vigil.ingest.cameras.cam-02-1.uri"), "from the environment");
        assertEquals("10.0", ingest.get("vigil.ingest.cameras.cam-02-1.fps-cap"));
        assertEquals("10.0", ingest.get("vigil.ingest.cameras.cam-02-2.fps-cap"));
    }

    @Test
    void theStreetStartsOnItsOwnModelUnlessItLearnsOneOrIsNotTheStreet() {
        LocalOptions street = LocalOptions.parse(new String[] {}, Map.of());
        assertTrue(StreetModel.applies(street), "the default source is the street: " + street.cameras().source());
        String line = String.join(" ", StreetModel.registerArguments(street, "synthetic-1"));
        assertTrue(line.startsWith("registry --registry " + street.site().registry() + " register --scope synthetic-1 --model ")
                && line.contains(StreetModel.MODEL) && line.contains("--descriptor ") && line.endsWith("--if-absent"), line);
        assertFalse(StreetModel.applies(LocalOptions.parse(new String[] {"--learn", "3m"}, Map.of())), "learns its own");
        assertFalse(StreetModel.applies(LocalOptions.parse(new String[] {"--source", "/videos/02"}, Map.of())));
        assertTrue(java.nio.file.Files.isRegularFile(java.nio.file.Path.of("..").resolve(StreetModel.MODEL))
                && java.nio.file.Files.isRegularFile(java.nio.file.Path.of("..").resolve(StreetModel.DESCRIPTOR)),
                "shipped in models/");
    }

    @Test
    void theStreetModelsThresholdsSayWhichFrameScoresAndSmoothingTheyWereChosenOn() throws Exception {
        io.vigil.proto.v1.ModelDescriptor.Builder d = io.vigil.proto.v1.ModelDescriptor.newBuilder();
        com.google.protobuf.TextFormat.merge(java.nio.file.Files.readString(java.nio.file.Path.of("..")
                .resolve(StreetModel.DESCRIPTOR)), d);
        assertTrue(d.getThresholds().getOpen() > d.getThresholds().getClose(), d.getThresholds().toString());
        assertEquals(io.vigil.proto.v1.FrameAggregation.FRAME_AGGREGATION_MAXIMUM, d.getThresholds().getAggregation(),
                "the street's folds dropped the crowd adjustment; its thresholds are on the maximum's scale");
        assertEquals(4, d.getThresholds().getSmoothing().getSigma(), "and on scores smoothed as the evaluator's --sigmas chose "
                + "(round 6, docs/results.md)");
        assertEquals(30, d.getThresholds().getSmoothing().getMaxLookahead());
        new io.vigil.common.registry.CameraEventSettings.Smoothing(d.getThresholds().getSmoothing().getSigma(),
                d.getThresholds().getSmoothing().getMaxLookahead()); // one the alert-sink takes
    }

    @Test
    void learningShowsTheNormalSceneThenTrainsTheFirstCameraIntoTheRegistryTheServicesRead() {
        assertEquals("synthetic:?walkers=6", CameraLearning.normalSource("synthetic:?walkers=6&anomalies=fast,unusual"));
        assertEquals("synthetic:?walkers=6&seed=3", CameraLearning.normalSource("synthetic:?walkers=6&anomalies=fast&seed=3"));
        assertEquals("synthetic:?seed=3", CameraLearning.normalSource("synthetic:?anomalies=fast&seed=3"));
        assertEquals("synthetic:?", CameraLearning.normalSource("synthetic:?anomalies=fast"));
        assertEquals("/videos/normal.mp4", CameraLearning.normalSource("/videos/normal.mp4"), "a file is its own normal");

        LocalOptions o = LocalOptions.parse(new String[] {"--learn", "3m", "--cameras", "2", "--detector", "yolox",
                "--model", "/m/yolox.onnx"});
        assertEquals(java.time.Duration.ofMinutes(3), o.learning().time());
        List<String> args = new CameraLearning(o, "localhost:9092", java.util.Optional.empty(), o.site().dataDir()).trainerArguments(
                o.cameras().ids().get(0));
        String line = String.join(" ", args);
        assertTrue(line.contains("--from-topic localhost:9092 --camera synthetic-1-1 --since 300s"), line);
        assertTrue(line.contains("--detector yolox") && line.contains("--detector-model /m/yolox.onnx"), "as deployed: " + line);
        assertTrue(line.contains("--register " + o.site().registry()), line);
        LocalOptions camera = LocalOptions.parse(new String[] {"--learn", "1m"},
                Map.of(LocalServices.SOURCE_URI_VARIABLE, "rtsp://alice:S3cretMarker@10.0.0.7/stream1"));
        String start = new CameraLearning(camera, "localhost:9092", java.util.Optional.empty(), camera.site().dataDir())
                .startLine(camera.cameras().ids().get(0));
        assertTrue(start.contains("10.0.0.7/stream1") && !start.contains("S3cretMarker"), start);
        for (ServiceSpec spec : LocalServices.services(o, "localhost:9092")) {
            String key = Map.of("anomaly-scorer", "vigil.scorer.registry", "alert-sink", "vigil.alerts.registry")
                    .get(spec.name());
            if (key != null) {
                assertEquals(o.site().registry().toString(), spec.properties().get(key), spec.name() + " reads the registry");
            }
        }
    }

    @Test
    void withoutFpsOrLoopTheSourceKeepsItsOwnPaceAndPlaysOnce() {
        Map<String, String> ingest = ingest(LocalOptions.parse(new String[] {"/videos/02"}));
        assertFalse(ingest.keySet().stream().anyMatch(k -> k.endsWith(".fps-cap") || k.endsWith(".loop")), ingest.toString());
        assertEquals("true", ingest(LocalOptions.parse(new String[] {"/videos/02", "--loop"})).get("vigil.ingest.cameras.cam-02.loop"));
    }

    @Test
    void theStartUpLineNamesACredentialedSourceWithoutItsPassword() {
        ServiceSpec ingest = LocalServices.services(LocalOptions.parse(new String[] {
                "rtsp://alice:S3cretMarker@127.0.0.1:8554/stream1"}), "localhost:9092").stream()
                .filter(s -> s.name().equals("frame-ingest")).findFirst().orElseThrow();
        assertTrue(ingest.summary().contains("<- rtsp://***@127.0.0.1:8554/stream1"), ingest.summary());
        assertFalse(ingest.summary().contains("S3cretMarker"), ingest.summary());
    }

    @Test
    void aCredentialedSourceComesFromTheEnvironmentOrAFileNotTheCommandLine() throws Exception {
        String uri = "rtsp://alice:S3cretMarker@127.0.0.1:8554/stream1";
        LocalOptions fromEnv = LocalOptions.parse(new String[] {"--once"}, Map.of("VIGIL_SOURCE_URI", uri));
        assertEquals(uri, fromEnv.cameras().source());
        assertEquals("cam-stream1", fromEnv.cameras().camera());
        assertEquals("/videos/02", LocalOptions.parse(new String[] {"/videos/02"}, Map.of("VIGIL_SOURCE_URI", uri)).cameras().source(),
                "the command line wins");
        java.nio.file.Path args = java.nio.file.Files.createTempFile("vigil-local", ".args");
        java.nio.file.Files.writeString(args, "--source " + uri + "\n--once\n");
        assertEquals(uri, LocalOptions.parse(new String[] {"@" + args}, Map.of()).cameras().source(), "picocli's @FILE");
        java.nio.file.Files.delete(args);
        // frame-ingest gets it in its environment, never in its command line.
        ServiceSpec ingest = LocalServices.services(fromEnv, "localhost:9092").stream()
                .filter(s -> s.name().equals("frame-ingest")).findFirst().orElseThrow();
        assertFalse(ingest.properties().toString().contains("S3cretMarker"), ingest.properties().toString());
        assertEquals(uri, ingest.environment().get("VIGIL_SOURCE_URI"));
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> LocalOptions.parse(new String[] {"--source", uri, uri}));
        assertFalse(two.getMessage().contains("S3cretMarker"), two.getMessage());
    }

    @Test
    void badOptionsAreNamed() {
        for (String[] args : List.of(new String[] {"--speed", "2"}, new String[] {"--fps", "-1"}, new String[] {"--fps"},
                new String[] {"--fps", "fast"}, new String[] {"--duration", "soon"}, new String[] {"--cameras", "0"},
                new String[] {"--camera", "gate|3"})) {
            String message = assertThrows(IllegalArgumentException.class, () -> LocalOptions.parse(args)).getMessage();
            assertTrue(message.contains(args[0]), message);
        }
    }

    @Test
    void helpListsEveryOption() {
        StringWriter out = new StringWriter();
        new CommandLine(new LocalOptions.Cli()).usage(new PrintWriter(out));
        for (String option : List.of("--source", "--camera", "--cameras", "--fps", "--loop", "--once", "--duration",
                "--detector", "--model", "--kafka-port", "--data-dir", "--fresh", "--home", "--secure", "--listen", "--help")) {
            assertTrue(out.toString().contains(option), option + " in\n" + out);
        }
    }

    @Test
    void theSourceMayBeGivenBareAndTheCameraIsNamedAfterIt() {
        LocalOptions o = LocalOptions.parse(new String[] {"../shared/datasets/ucsd-ped2/testing/02", "--duration", "90s"});
        assertEquals("cam-02", o.cameras().camera());
        assertEquals(java.time.Duration.ofSeconds(90), o.run().duration());
        assertEquals(LocalOptions.DEFAULT_SOURCE, LocalOptions.parse(new String[0]).cameras().source());
    }

    @Test
    void servicesListenOnThisMachineOnlyUnlessAskedAndHealthAlwaysDoes() {
        // Found on a local run: every service listened on all interfaces, management (no authentication) included.
        for (ServiceSpec spec : LocalServices.services(LocalOptions.parse(new String[0]), "localhost:9092")) {
            assertEquals("127.0.0.1", spec.properties().get("quarkus.http.host"), spec.name());
            assertEquals("127.0.0.1", spec.properties().get("quarkus.management.host"), spec.name());
        }
        for (ServiceSpec spec : LocalServices.services(LocalOptions.parse(new String[] {"--listen", "0.0.0.0"}),
                "localhost:9092")) {
            assertEquals("0.0.0.0", spec.properties().get("quarkus.http.host"), spec.name());
            assertEquals("127.0.0.1", spec.properties().get("quarkus.management.host"), spec.name());
        }
    }

    @Test
    void aUnicodeCameraIdIsACameraId() {
        assertEquals("入口", LocalOptions.parse(new String[] {"--camera", "入口", "/videos/02"}).cameras().camera());
    }
}
