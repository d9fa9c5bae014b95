package io.vigil.trainer.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.vigil.trainer.data.ObjectClips;
import io.vigil.trainer.export.ExportParity;
import io.vigil.trainer.export.ExportTest;
import io.vigil.trainer.export.OnnxExporter;
import io.vigil.trainer.training.SsmtlTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A NaN stops training before any update, and never reaches a checkpoint or an export; the message names where. */
class NumericGuardTest {

    @TempDir
    Path temp;

    private static NDArray parameter(SsmtlTrainer trainer, String name) {
        for (Pair<String, Parameter> p : trainer.network().getParameters()) {
            if (p.getKey().equals(name)) {
                return p.getValue().getArray();
            }
        }
        throw new AssertionError("no parameter " + name + " in " + trainer.parameterArrays().keySet());
    }

    /** Sets the first value of a parameter to NaN, as a faulty kernel or a bad update would. */
    private static void poison(NDArray weight) {
        weight.setRequiresGradient(false);
        weight.set(new NDIndex(String.join(",", java.util.Collections.nCopies(weight.getShape().dimension(), "0"))), Float.NaN);
        weight.setRequiresGradient(true);
    }

    @Test
    void aNonFiniteWeightStopsTheStepBeforeAnyUpdateAndNamesTheLayer() throws Exception {
        Random r = new Random(5);
        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(Architecture.SHALLOW_NARROW, 7, 80), 1e-3f, 0.5f, 1)) {
            trainer.step(ExportTest.randomBatch(2, 7, r));
            poison(parameter(trainer, "01encoder_05Conv3d_weight"));
            float[] decoderBefore = parameter(trainer, "04decoder_02Conv2d_weight").toFloatArray();

            NumericGuard.NonFiniteException e = assertThrows(NumericGuard.NonFiniteException.class,
                    () -> trainer.step(ExportTest.randomBatch(2, 7, r)));
            assertTrue(e.getMessage().contains("step 2: non-finite loss"), e.getMessage());
            assertTrue(e.getMessage().contains("first non-finite values are in encoder/05Conv3d"), e.getMessage());
            assertTrue(e.getMessage().contains("intra-op threads"), "names the numeric environment: " + e.getMessage());
            assertArrayEquals(decoderBefore, parameter(trainer, "04decoder_02Conv2d_weight").toFloatArray(), "no weight updated");

            Path checkpoint = temp.resolve("checkpoint.params");
            e = assertThrows(NumericGuard.NonFiniteException.class, () -> trainer.save(checkpoint));
            assertTrue(e.getMessage().contains("01encoder_05Conv3d_weight (1 values)"), e.getMessage());
            assertTrue(e.getMessage().contains("01encoder_06BatchNorm_runningMean"), "the failed forward pass's statistics too: "
                    + e.getMessage());
            assertFalse(Files.exists(checkpoint));

            Path onnx = temp.resolve("model.onnx");
            e = assertThrows(NumericGuard.NonFiniteException.class,
                    () -> OnnxExporter.export(trainer.network(), Map.of(), onnx));
            assertTrue(e.getMessage().contains("refusing to export"), e.getMessage());
            assertFalse(Files.exists(onnx));
        }
    }

    @Test
    void aNonFiniteInputIsNamedAsTheInput() {
        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(Architecture.SHALLOW_NARROW, 7, 80), 1e-3f, 0.5f, 1)) {
            ObjectClips.Batch batch = ExportTest.randomBatch(2, 7, new Random(6));
            batch.reversed()[123] = Float.POSITIVE_INFINITY;
            NumericGuard.NonFiniteException e = assertThrows(NumericGuard.NonFiniteException.class,
                    () -> trainer.evaluate(batch));
            assertTrue(e.getMessage().contains("evaluation: non-finite loss"), e.getMessage());
            assertTrue(e.getMessage().contains("first non-finite values are in the input (1 values)"), e.getMessage());
        }
    }

    @Test
    void exportParityNamesTheSideTheOutputAndTheLayer() throws Exception {
        Random r = new Random(7);
        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(Architecture.SHALLOW_NARROW, 7, 80), 1e-3f, 0.5f, 1)) {
            Path onnx = OnnxExporter.export(trainer.network(), Map.of(), temp.resolve("clean.onnx"));
            poison(parameter(trainer, "02arrow_of_time_01Conv2d_weight"));
            NumericGuard.NonFiniteException e = assertThrows(NumericGuard.NonFiniteException.class,
                    () -> ExportParity.check(trainer.network(), onnx, ExportTest.randomBatch(2, 7, r).forward(), 2));
            assertTrue(e.getMessage().contains("DJL output arrow_of_time"), e.getMessage());
            assertTrue(e.getMessage().contains("first in arrow_of_time/01Conv2d"), e.getMessage());
        }
    }
}
