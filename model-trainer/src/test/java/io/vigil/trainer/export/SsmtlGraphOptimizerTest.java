package io.vigil.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.trainer.data.ObjectClips;
import io.vigil.trainer.network.Architecture;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.trainer.training.SsmtlTrainer;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.proto.ModelProto;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rewritten graph gives the plain graph's outputs, for every architecture and sequence length. */
class SsmtlGraphOptimizerTest {

    @TempDir
    Path temp;

    private ModelProto plainGraph(Architecture architecture, int frames, long seed) throws Exception {
        return plainGraph(architecture, frames, seed, false);
    }

    private ModelProto plainGraph(Architecture architecture, int frames, long seed, boolean ownMaskedStatistics)
            throws Exception {
        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(architecture, frames, 80), 1e-3f, 0.5f, 1)) {
            ObjectClips.Batch batch = ExportTest.randomBatch(2, frames, new Random(seed));
            trainer.step(batch); // batch-norm statistics away from 0 and 1
            if (ownMaskedStatistics) {
                trainer.updateMaskedBatchNormStatistics(batch);
                trainer.network().maskedStatistics(trainer.network().encoderStatistics());
                trainer.updateBatchNormStatistics(batch);
            }
            return OnnxExporter.graph(trainer.network(), Map.of());
        }
    }

    @ParameterizedTest
    @CsvSource({
        // architecture, frames, masked first stage shortened, convolutions split, convolutions trimmed
        "shallow-narrow, 7, true, 4, 1", // the shipped model: stages of 7, 3 and 1 frames
        "shallow-wide, 7, true, 4, 1",
        // every pooled frame sees the middle one: both passes keep their first stage, less its dropped frame
        "shallow-narrow, 3, false, 4, 2",
        "shallow-narrow, 5, false, 4, 2",
        "shallow-narrow, 9, true, 2, 1", // stages of 9, 4 and 2 frames: only the last splits
        "deep-narrow, 7, false, 8, 2", // two convolutions per stage: the masked frame reaches every pooled frame
        "deep-wide, 5, false, 8, 2"
    })
    void rewrittenGraphComputesTheSameOutputsWithLessWork(String architecture, int frames, boolean shortened, int split,
            int trimmed) throws Exception {
        ModelProto plain = plainGraph(Architecture.parse(architecture), frames, frames);
        Map.Entry<ModelProto, SsmtlGraphOptimizer.Report> optimized = SsmtlGraphOptimizer.optimize(plain);
        assertEquals(new SsmtlGraphOptimizer.Report(shortened, split, trimmed), optimized.getValue());
        Path a = OnnxGraphBuilder.write(plain, temp.resolve("plain.onnx"));
        Path b = OnnxGraphBuilder.write(optimized.getKey(), temp.resolve("optimized.onnx"));
        float diff = SsmtlGraphOptimizer.maxDifference(a, b);
        assertTrue(diff < ExportParity.TOLERANCE, "max abs diff " + diff);
        assertTrue(optimized.getKey().getGraph().getNodeCount() > plain.getGraph().getNodeCount(), "nodes were added");

        ModelProto again = optimized.getKey();
        assertSame(again, SsmtlGraphOptimizer.optimize(again).getKey(), "a rewritten model is not rewritten twice");
    }

    @Test
    void aMaskedPassWithItsOwnStatisticsKeepsItsWholeFirstStage() throws Exception {
        // Its first stage normalises every frame by statistics of its own, so no pooled frame equals the plain pass's.
        ModelProto plain = plainGraph(Architecture.SHALLOW_NARROW, 7, 7, true);
        Map.Entry<ModelProto, SsmtlGraphOptimizer.Report> optimized = SsmtlGraphOptimizer.optimize(plain);
        assertEquals(new SsmtlGraphOptimizer.Report(false, 4, 2), optimized.getValue());
        float diff = SsmtlGraphOptimizer.maxDifference(OnnxGraphBuilder.write(plain, temp.resolve("plain.onnx")),
                OnnxGraphBuilder.write(optimized.getKey(), temp.resolve("optimized.onnx")));
        assertTrue(diff < ExportParity.TOLERANCE, "max abs diff " + diff);
    }

    @Test
    void fileRewriteChecksItsOutputsAndTheComparisonSeesADifferentModel() throws Exception {
        Path plain = OnnxGraphBuilder.write(plainGraph(Architecture.SHALLOW_NARROW, 7, 1), temp.resolve("plain.onnx"));
        SsmtlGraphOptimizer.Rewritten r = SsmtlGraphOptimizer.rewrite(plain, temp.resolve("out.onnx"));
        assertTrue(r.report().changed());
        assertTrue(r.maxDifference() < ExportParity.TOLERANCE, "max abs diff " + r.maxDifference());
        assertFalse(SsmtlGraphOptimizer.rewrite(r.file(), temp.resolve("twice.onnx")).report().changed());

        Path other = OnnxGraphBuilder.write(plainGraph(Architecture.SHALLOW_NARROW, 7, 2), temp.resolve("other.onnx"));
        assertTrue(SsmtlGraphOptimizer.maxDifference(plain, other) > 1e-3f, "two differently trained networks differ");
    }
}
