package io.vigil.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.EventThresholds;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.proto.v1.TrainingRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    @TempDir
    Path dir;

    private Path model(String content) throws Exception {
        Path f = Files.createTempFile(dir, "m", ".onnx");
        Files.writeString(f, content);
        return f;
    }

    private static ModelDescriptor trainedOn(String camera) {
        return ModelDescriptor.newBuilder().setTraining(TrainingRange.newBuilder().setCameraId(camera).setFrames(1200))
                .setThresholds(EventThresholds.newBuilder().setOpen(2.5f).setClose(1.5f)).build();
    }

    @Test
    void registersVersionsInOrderWithTheirDescriptors() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        assertEquals(Optional.empty(), registry.current("cam-1"));
        ModelRegistry.Entry v1 = registry.register("cam-1", model("one"), trainedOn("cam-1"), true);
        ModelRegistry.Entry v2 = registry.register("cam-1", model("two"), trainedOn("cam-1"), false);

        assertEquals(1, v1.version());
        assertEquals(2, v2.version());
        assertEquals("two", Files.readString(v2.model()));
        assertEquals(ModelRegistry.sha256(v2.model()), v2.descriptor().getSha256());
        assertEquals("cam-1", v2.descriptor().getScope());
        assertEquals(1200, v2.descriptor().getTraining().getFrames());
        assertEquals(2.5f, v2.descriptor().getThresholds().getOpen());
        assertTrue(v2.id().startsWith("cam-1/v2@"), v2.id());
        assertEquals(1, registry.current("cam-1").orElseThrow().version(), "registered without activating");
        assertEquals(List.of(1, 2), registry.versions("cam-1").stream().map(ModelRegistry.Entry::version).toList());
        assertEquals(List.of("cam-1"), registry.scopes());
        registry.register("cam-2", model("three"), trainedOn("cam-2"), false);
        assertEquals(java.util.Set.of("cam-1"), registry.activeScopes(), "cam-2 has a version but none in use");
        try (var files = Files.list(dir.resolve("registry/models/cam-1"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".staging")), "no staging left");
        }
    }

    @Test
    void rollbackUndoesActivationsOneAtATime() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir);
        for (String m : List.of("one", "two", "three")) {
            registry.register("plaza", model(m), trainedOn("cam-1"), true);
        }
        assertEquals(3, registry.current("plaza").orElseThrow().version());
        assertEquals(2, registry.rollback("plaza").version());
        assertEquals(2, registry.current("plaza").orElseThrow().version());
        assertEquals(1, registry.rollback("plaza").version(), "a second rollback goes further back, not to v3");
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> registry.rollback("plaza"));
        assertTrue(none.getMessage().contains("no earlier version"), none.getMessage());
        assertEquals(3, registry.activate("plaza", 3).version());
        assertEquals(1, registry.rollback("plaza").version(), "back to what was current before v3 was activated");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> registry.activate("plaza", 9));
        assertTrue(missing.getMessage().contains("v9"), missing.getMessage());
        assertEquals(1, registry.current("plaza").orElseThrow().version(), "a failed activation changes nothing");
    }

    @Test
    void camerasShareAScopeThroughTheirSettings() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir);
        assertEquals(Map.of(), registry.cameraSettings());
        registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("cam-east").setScope("plaza").build());
        registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("cam/west 2").setScope("plaza").build());
        registry.putCameraSettings(CameraSettings.newBuilder().setCameraId("cam-east").setScope("plaza-v2").build());
        Map<String, CameraSettings> cameras = registry.cameraSettings();

        assertEquals(2, cameras.size(), "a camera's settings are replaced, not repeated");
        assertEquals(Optional.of("plaza-v2"), registry.scopeOf("cam-east", cameras));
        assertEquals(Optional.of("plaza"), registry.scopeOf("cam/west 2", cameras));
        assertEquals(Optional.of("cam-3"), registry.scopeOf("cam-3", cameras), "by default a camera is its own scope");
        assertEquals(Optional.empty(), registry.scopeOf("../etc", cameras), "an id that is no directory name has no scope");
    }

    @Test
    void scopeNamesCannotLeaveTheRegistry() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir);
        for (String bad : List.of("..", "../x", "a/b", "", ".hidden", "a b", "x".repeat(129))) {
            assertFalse(ModelRegistry.isScopeName(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> registry.register(bad, model("m"), trainedOn("c"), true));
        }
        assertTrue(ModelRegistry.isScopeName("ped2-02_north.v2"));
    }
}
