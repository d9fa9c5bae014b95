package io.vigil.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.EventThresholds;
import io.vigil.proto.v1.FrameAggregation;
import io.vigil.proto.v1.FrameSmoothing;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.proto.v1.ObjectScore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CameraEventSettingsTest {

    static final EventDetector.Settings DEFAULTS = new EventDetector.Settings(3f, 2f, 5, 10, 25, 10);

    @TempDir
    Path dir;

    private static EventThresholds thresholds(float open, float close) {
        return EventThresholds.newBuilder().setOpen(open).setClose(close).build();
    }

    private ModelDescriptor calibrated(float open, float close) {
        return ModelDescriptor.newBuilder().setThresholds(thresholds(open, close)).build();
    }

    @Test
    void configurationThenCameraOverrideThenModelThenDefaults() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir);
        Path model = Files.writeString(dir.resolve("m.onnx"), "m");
        registry.register("cam-a", model, calibrated(4f, 2.5f), true);
        registry.register("cam-b", model, calibrated(5f, 3f), true);
        registry.register("plaza", model, calibrated(6f, 4f), true);
        registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("cam-b").setThresholds(thresholds(7f, 5f)).build());
        registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("east gate").setScope("plaza").build());
        CameraEventSettings s = new CameraEventSettings(DEFAULTS, Map.of("cam-c", thresholds(8f, 6f)), Optional.of(registry));
        s.refresh();

        CameraEventSettings.Resolved a = s.forCamera("cam-a");
        assertEquals(CameraEventSettings.Origin.MODEL, a.origin());
        assertEquals(4f, a.settings().openThreshold());
        assertEquals(2.5f, a.settings().closeThreshold());
        assertEquals(5, a.settings().minDuration(), "only the thresholds are the camera's");
        assertEquals(25, a.settings().cooldown());
        assertEquals(CameraEventSettings.Origin.CAMERA_OVERRIDE, s.forCamera("cam-b").origin());
        assertEquals(7f, s.forCamera("cam-b").settings().openThreshold());
        assertEquals(CameraEventSettings.Origin.CONFIGURATION, s.forCamera("cam-c").origin());
        assertEquals(8f, s.forCamera("cam-c").settings().openThreshold());
        assertEquals(6f, s.forCamera("east gate").settings().openThreshold(), "a scene's model, by the camera's settings");
        assertEquals(CameraEventSettings.Origin.DEFAULT, s.forCamera("cam-z").origin());
        assertEquals(DEFAULTS, s.forCamera("cam-z").settings());
        assertEquals(Optional.empty(), a.aggregation(), "thresholds that name no aggregation: the service's");

        // A new model for cam-a is seen after a refresh, not before; a rollback brings the old thresholds back.
        registry.register("cam-a", model, calibrated(4.5f, 3f), true);
        assertEquals(4f, s.forCamera("cam-a").settings().openThreshold());
        s.refresh();
        assertEquals(4.5f, s.forCamera("cam-a").settings().openThreshold());
        registry.rollback("cam-a");
        s.refresh();
        assertEquals(4f, s.forCamera("cam-a").settings().openThreshold());
    }

    @Test
    void thresholdsBringTheFrameAggregationAndSmoothingTheyWereChosenOn() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir);
        Path model = Files.writeString(dir.resolve("m.onnx"), "m");
        registry.register("street", model, ModelDescriptor.newBuilder().setThresholds(thresholds(2.3f, 1.7f).toBuilder()
                .setAggregation(FrameAggregation.FRAME_AGGREGATION_MAXIMUM)
                .setSmoothing(FrameSmoothing.newBuilder().setSigma(8).setMaxLookahead(24))).build(), true);
        registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("gate").setThresholds(thresholds(5f, 4f)
                .toBuilder().setAggregation(FrameAggregation.FRAME_AGGREGATION_CROWD_ADJUSTED)).build());
        CameraEventSettings s = new CameraEventSettings(DEFAULTS, Map.of(), Optional.of(registry));
        s.refresh();
        assertEquals(Optional.of(FrameScorer.Aggregation.MAXIMUM), s.forCamera("street").aggregation());
        assertEquals(Optional.of(FrameScorer.Aggregation.CROWD_ADJUSTED), s.forCamera("gate").aggregation());
        assertEquals(Optional.empty(), s.forCamera("other").aggregation());
        for (FrameScorer.Aggregation a : FrameScorer.Aggregation.values()) {
            assertEquals(Optional.of(a), CameraEventSettings.aggregation(CameraEventSettings.aggregation(a)));
        }

        AlertTimeline.Settings service = AlertTimeline.Settings.defaults().withEvents(DEFAULTS);
        AlertTimeline.Settings street = s.forCamera("street").timeline(service);
        assertEquals(FrameScorer.Aggregation.MAXIMUM, street.aggregation());
        assertEquals(8, street.sigma());
        assertEquals(24, street.lookahead(), "3 sigma, within the look-ahead it names");
        assertEquals(2.3f, street.events().openThreshold());
        assertEquals(DEFAULTS.minDuration(), street.events().minDuration());
        AlertTimeline.Settings gate = s.forCamera("gate").timeline(service);
        assertEquals(FrameScorer.Aggregation.CROWD_ADJUSTED, gate.aggregation());
        assertEquals(service.sigma(), gate.sigma(), "thresholds that name no smoothing: the service's");
        assertEquals(service, s.forCamera("other").timeline(service));
    }

    @Test
    void thresholdsNoStreamCouldUseAreSetAsideForTheDefaultsWithoutStoppingTheCamera() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir);
        Path model = Files.writeString(dir.resolve("m.onnx"), "m");
        registry.register("hour-long", model, ModelDescriptor.newBuilder().setThresholds(thresholds(2.3f, 1.7f).toBuilder()
                .setSmoothing(FrameSmoothing.newBuilder().setSigma(5000).setMaxLookahead(100_000))).build(), true);
        registry.register("nan", model, ModelDescriptor.newBuilder().setThresholds(thresholds(Float.NaN, 1f)).build(), true);
        registry.register("inverted", model, calibrated(1f, 2f), true);
        CameraEventSettings s = new CameraEventSettings(DEFAULTS, Map.of(), Optional.of(registry));
        s.refresh();
        for (String camera : new String[] {"hour-long", "nan", "inverted"}) {
            CameraEventSettings.Resolved r = s.forCamera(camera);
            assertEquals(CameraEventSettings.Origin.DEFAULT, r.origin(), camera);
            assertEquals(DEFAULTS, r.settings(), camera);
            assertEquals(Optional.empty(), r.smoothing(), camera);
            assertTrue(r.detail().contains("set aside"), r.detail());
        }
    }

    @Test
    void objectsInACamerasNotAlertedZonesAreFound() {
        ModelRegistry registry = new ModelRegistry(dir);
        registry.putCameraSettings(IgnoreZonesTest.CAMERA);
        CameraEventSettings s = new CameraEventSettings(DEFAULTS, Map.of(), Optional.of(registry));
        s.refresh();
        ObjectScore.Builder flag = ObjectScore.newBuilder().setCameraId("cam").setFrameWidth(200).setFrameHeight(100)
                .setDetection(Detection.newBuilder().setBox(Box.newBuilder().setX1(190).setY1(0).setX2(200).setY2(10)));
        assertEquals(Optional.of("flag"), s.notAlertedZone(flag.build()).map(IgnoreZone::getName));
        assertEquals(Optional.empty(), s.notAlertedZone(flag.setCameraId("other").build()), "another camera's zones");
        ObjectScore road = flag.setCameraId("cam").setDetection(Detection.newBuilder().setBox(Box.newBuilder().setX1(10)
                .setY1(60).setX2(20).setY2(90))).build();
        assertEquals(Optional.empty(), s.notAlertedZone(road), "the road is NOT_SCORED: the scorer's business");
    }

    @Test
    void withoutARegistryEveryCameraNotConfiguredHasTheDefaults() {
        CameraEventSettings s = new CameraEventSettings(DEFAULTS, Map.of("cam-c", thresholds(8f, 6f)), Optional.empty());
        assertEquals(DEFAULTS, s.forCamera("cam-a").settings());
        assertEquals(8f, s.forCamera("cam-c").settings().openThreshold());
        assertThrows(IllegalArgumentException.class, () -> new CameraEventSettings(DEFAULTS,
                Map.of("cam-c", thresholds(2f, 6f)), Optional.empty()), "close above open is refused at start-up");
    }
}
