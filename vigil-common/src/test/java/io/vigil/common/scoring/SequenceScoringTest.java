package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.registry.ModelRegistry;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.CameraSettingsList;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One outcome per sequence, in order, whatever mix of cameras, models, zones and misfits a batch holds. */
class SequenceScoringTest {

    @TempDir
    Path dir;

    @Test
    void eachSequenceGetsItsCamerasModelAndMisfitsAndZonedObjectsKeepTheirPlace() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        registry.register("cam-b", TinySsmtlModel.write(dir.resolve("b.onnx"), 7, 8, 0.4f, 0.1f, Map.of()),
                ModelDescriptor.getDefaultInstance(), true);
        // cam-c ignores the whole frame for scoring.
        IgnoreZone everything = IgnoreZone.newBuilder().setName("all").setMode(IgnoreMode.NOT_SCORED)
                .addAllXy(List.of(0f, 0f, 1f, 0f, 1f, 1f, 0f, 1f)).build();
        Files.writeString(dir.resolve("registry/cameras.txtpb"), CameraSettingsList.newBuilder()
                .addCameras(CameraSettings.newBuilder().setCameraId("cam-c").addIgnoreZones(everything)).build().toString());
        java.util.function.Function<ScoringModel.Source, ScoringModel> loader = source -> new ScoringModel(source,
                OnnxSessionFactory.Options.cpu(1), EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
        List<Long> calls = new ArrayList<>();
        try (CameraModels models = new CameraModels(loader.apply(ScoringModel.file(
                TinySsmtlModel.write(dir.resolve("default.onnx"), 7, 8, 0.7f, 0.1f, Map.of()))), Optional.of(registry), 4, loader)) {
            SequenceScoring scoring = new SequenceScoring(models, calls::add);
            ObjectSequence misfit = TinySsmtlModel.sequence("cam-a", 5, 5, 8);
            List<SequenceScoring.Outcome> out = scoring.score(List.of(TinySsmtlModel.sequence("cam-a", 3, 7, 8),
                    misfit, TinySsmtlModel.sequence("cam-b", 3, 7, 8), TinySsmtlModel.sequence("cam-c", 3, 7, 8),
                    TinySsmtlModel.sequence("cam-a", 4, 7, 8)));

            assertEquals(5, out.size());
            var a3 = assertInstanceOf(SequenceScoring.Scored.class, out.get(0));
            assertEquals(3, a3.score().getMiddleFrameIndex());
            assertEquals(0.7f, a3.score().getArrowOfTime(), 1e-6);
            assertTrue(a3.score().getModelVersion().startsWith("default.onnx@"));
            assertTrue(assertInstanceOf(SequenceScoring.Rejected.class, out.get(1)).reason().contains("5 crops"));
            var b3 = assertInstanceOf(SequenceScoring.Scored.class, out.get(2));
            assertEquals(0.4f, b3.score().getArrowOfTime(), 1e-6);
            assertTrue(b3.score().getModelVersion().startsWith("cam-b/v1@"));
            var c3 = assertInstanceOf(SequenceScoring.Scored.class, out.get(3));
            assertTrue(c3.ignoredZone());
            var a4 = assertInstanceOf(SequenceScoring.Scored.class, out.get(4));
            assertFalse(a4.ignoredZone());
            assertEquals(4, a4.score().getMiddleFrameIndex());
            assertEquals(2, calls.size(), "cam-a's two sequences in one call, cam-b's in another");
        }
    }
}
