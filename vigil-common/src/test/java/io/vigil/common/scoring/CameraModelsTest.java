package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.registry.ModelRegistry;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing by camera without Kafka: what a broken registry does, and what the cache does with versions in use. */
class CameraModelsTest {

    @TempDir
    Path dir;

    private Path model(String name, float aot) {
        return TinySsmtlModel.write(dir.resolve(name), 7, 8, aot, 0.1f, Map.of());
    }

    private CameraModels models(ModelRegistry registry, int maxLoaded) {
        java.util.function.Function<ScoringModel.Source, ScoringModel> loader = source -> new ScoringModel(source,
                OnnxSessionFactory.Options.cpu(1), EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
        return new CameraModels(loader.apply(ScoringModel.file(model("default.onnx", 0.7f))), Optional.of(registry),
                maxLoaded, loader);
    }

    private static String scoredBy(CameraModels models, String camera) {
        ScoringModel.Version v = models.acquire(camera);
        try {
            return v.id();
        } finally {
            v.release();
        }
    }

    @Test
    void aBrokenRegistryLeavesCamerasOnTheDefaultModelAndScoringGoesOn() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Files.createDirectories(dir.resolve("registry"));
        Files.writeString(dir.resolve("registry/cameras.txtpb"), "cameras { this is not protobuf text");
        try (CameraModels models = models(registry, 4)) {
            assertTrue(scoredBy(models, "cam-a").startsWith("default.onnx@"), "unreadable camera settings: still scoring");

            registry.register("cam-a", Files.writeString(dir.resolve("junk.onnx"), "not a model"),
                    ModelDescriptor.getDefaultInstance(), true);
            models.refresh();
            assertTrue(scoredBy(models, "cam-a").startsWith("default.onnx@"), "an unusable version: the default model");
            assertEquals(1, models.loadFailures());

            Files.writeString(Files.createDirectories(dir.resolve("registry/models/cam-b")).resolve("CURRENT"), "v7\n");
            assertTrue(scoredBy(models, "cam-b").startsWith("default.onnx@"), "a new scope is looked at on the next tick");
            assertEquals(1, models.loadFailures(), "... not while scoring");
            models.refresh();
            assertTrue(scoredBy(models, "cam-b").startsWith("default.onnx@"), "CURRENT names a missing version");
            assertEquals(2, models.loadFailures());

            registry.register("cam-a", model("a2.onnx", 0.2f), ModelDescriptor.getDefaultInstance(), true);
            models.refresh();
            assertTrue(scoredBy(models, "cam-a").startsWith("cam-a/v2@"), "a good version is taken on the next tick");
        }
    }

    @Test
    void anEvictedModelServesTheBatchHoldingItUntilItIsReleased() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        registry.register("cam-a", model("a.onnx", 0.2f), ModelDescriptor.getDefaultInstance(), true);
        registry.register("cam-b", model("b.onnx", 0.4f), ModelDescriptor.getDefaultInstance(), true);
        try (CameraModels models = models(registry, 1)) {
            ScoringModel.Version a = models.acquire("cam-a");
            assertTrue(scoredBy(models, "cam-b").startsWith("cam-b/v1@"), "cam-b's model evicts cam-a's");
            assertEquals(1, models.evictions());
            assertEquals(1, models.loadedCount());
            // The batch that acquired cam-a's version still scores with it.
            assertEquals(0.2f, a.scorer().score(List.of(TinySsmtlModel.sequence("cam-a", 3, 7, 8)))
                    .get(0).arrowOfTime(), 1e-6);
            a.release();
            assertTrue(scoredBy(models, "cam-a").startsWith("cam-a/v1@"), "loaded again when needed");
            assertEquals(2, models.evictions());
        }
    }
}
