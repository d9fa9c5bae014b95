package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringModelTest {

    private static final Path SHIPPED = Path.of("../models/ssmtl-ped2-shallow-narrow.onnx");

    /**
     * The shipped model's cues leave out the middle-box prediction, whose head is a second pass through the encoder:
     * loaded as the services load it, the model does not compute that pass, and scores every object exactly as the
     * whole graph does.
     */
    @Test
    void theShippedModelComputesOnlyTheHeadsOfItsCuesAndScoresAsTheWholeGraphDoes() {
        assumeTrue(Files.isRegularFile(SHIPPED), "the shipped model is in the checkout");
        List<ObjectSequence> batch = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 5; i++) {
            byte[] pixels = new byte[7 * 64 * 64 * 3];
            random.nextBytes(pixels);
            batch.add(TinySsmtlModel.sequence("cam", 10 + i, 7, 64).toBuilder().setPixels(ByteString.copyFrom(pixels)).build());
        }
        TaskCalibration.Mode mode = TaskCalibration.Mode.valueOf(TaskCalibration.DEFAULT_MODE);
        try (ScoringModel loaded = new ScoringModel(ScoringModel.file(SHIPPED), OnnxSessionFactory.Options.cpu(1), null, mode);
                OnnxModel whole = OnnxSessionFactory.open(SHIPPED, OnnxSessionFactory.Options.cpu(1))) {
            ScoringModel.Version v = loaded.acquire();
            try {
                assertTrue(whole.outputShapes().containsKey(ModelContract.RECONSTRUCTION_OUTPUT));
                assertFalse(v.model.outputShapes().containsKey(ModelContract.RECONSTRUCTION_OUTPUT));
                assertFalse(v.scorer().tasks().contains(SsmtlScorer.Task.RECONSTRUCTION));
                SsmtlScorer wholeGraph = new SsmtlScorer(whole, SsmtlScorer.modelTasks(whole), mode);
                assertEquals(wholeGraph.tasks(), v.scorer().tasks());
                assertEquals(wholeGraph.score(batch), v.scorer().score(batch), "bit for bit");
            } finally {
                v.release();
            }
        }
    }

    /** The version names the bytes that were loaded; a file that is not a model says so, with its path. */
    @Test
    void theVersionIsTheDigestOfTheLoadedBytesAndAFileThatIsNoModelIsRefusedByName(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(SHIPPED), "the shipped model is in the checkout");
        Path copy = Files.copy(SHIPPED, dir.resolve("camera.onnx"));
        TaskCalibration.Mode mode = TaskCalibration.Mode.valueOf(TaskCalibration.DEFAULT_MODE);
        try (ScoringModel loaded = new ScoringModel(ScoringModel.file(copy), OnnxSessionFactory.Options.cpu(1), null, mode)) {
            assertEquals("camera.onnx@" + ModelRegistry.sha256(copy).substring(0, 12), loaded.versionId());
        }
        Files.write(copy, new byte[] {8, 7, 6, 5, 4});
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> new ScoringModel(ScoringModel.file(copy), OnnxSessionFactory.Options.cpu(1), null, mode));
        assertTrue(e.getMessage().startsWith("cannot load ONNX model " + copy.toAbsolutePath()), e.getMessage());
    }
}
