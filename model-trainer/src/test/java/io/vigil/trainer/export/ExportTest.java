package io.vigil.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.trainer.data.ObjectClips;
import io.vigil.trainer.network.Architecture;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.trainer.training.SsmtlTrainer;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Export and parity on every architecture, after training steps moved the batch-norm statistics. */
public class ExportTest {

    @TempDir
    Path temp;

    public static ObjectClips.Batch randomBatch(int n, int t, Random r) {
        int per = 3 * t * 64 * 64;
        float[][] parts = new float[3][n * per];
        for (float[] p : parts) {
            for (int i = 0; i < p.length; i++) {
                p[i] = r.nextFloat();
            }
        }
        float[] middle = new float[n * 3 * 64 * 64];
        float[] distill = new float[n * 80];
        for (int i = 0; i < distill.length; i++) {
            distill[i] = r.nextFloat();
        }
        return new ObjectClips.Batch(n, parts[0], parts[1], parts[2], middle, distill);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void exportedModelMatchesDjlAndHasTheDocumentedInterface(Architecture architecture) throws Exception {
        Random r = new Random(11);
        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(architecture, 7, 80), 1e-3f, 0.5f, 1)) {
            for (int i = 0; i < 2; i++) {
                trainer.step(randomBatch(4, 7, r));
            }
            // The middle-box pass's own batch-norm statistics, then the plain pass's: the export keeps them apart.
            ObjectClips.Batch statistics = randomBatch(4, 7, r);
            trainer.updateMaskedBatchNormStatistics(statistics);
            trainer.network().maskedStatistics(trainer.network().encoderStatistics());
            trainer.updateBatchNormStatistics(statistics);
            Path file = OnnxExporter.export(trainer.network(), Map.of("vigil.architecture", architecture.id(), "vigil.t", "3"),
                    temp.resolve(architecture.id() + ".onnx"));
            ObjectClips.Batch probe = randomBatch(3, 7, r);
            float diff = ExportParity.check(trainer.network(), file, probe.forward(), 3);
            assertTrue(diff < ExportParity.TOLERANCE, "max abs diff " + diff);

            try (OnnxModel model = OnnxSessionFactory.open(file, OnnxSessionFactory.Options.cpu(1))) {
                assertArrayEquals(new long[] {-1, 3, 7, 64, 64}, model.inputShapes().get(ModelContract.INPUT_NAME));
                assertArrayEquals(new long[] {-1, 2}, model.outputShapes().get(ModelContract.ARROW_OF_TIME_OUTPUT));
                assertArrayEquals(new long[] {-1, 2}, model.outputShapes().get(ModelContract.IRREGULARITY_OUTPUT));
                assertArrayEquals(new long[] {-1, 3, 64, 64}, model.outputShapes().get(ModelContract.RECONSTRUCTION_OUTPUT));
                assertArrayEquals(new long[] {-1, 80}, model.outputShapes().get(ModelContract.DISTILLATION_OUTPUT));
                assertEquals(architecture.id(), model.customMetadata().get("vigil.architecture"));
                // The scorer the services use reads this export as it is.
                SsmtlScorer scorer = new SsmtlScorer(model, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
                byte[] pixels = new byte[7 * 64 * 64 * 3];
                r.nextBytes(pixels);
                Detection.Builder d = Detection.newBuilder();
                for (int c = 0; c < 80; c++) {
                    d.addClassProbabilities(c == 0 ? 0.9f : 0f);
                }
                SsmtlScorer.Scores s = scorer.score(List.of(ObjectSequence.newBuilder().setSequenceLength(7).setCropSize(64)
                        .setPixels(ByteString.copyFrom(pixels)).setDetection(d).build())).get(0);
                for (SsmtlScorer.Task task : SsmtlScorer.Task.values()) {
                    assertTrue(Float.isFinite(s.raw(task)), task + " " + s);
                }
                assertTrue(s.arrowOfTime() >= 0 && s.arrowOfTime() <= 1 && s.reconstruction() >= 0, s.toString());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = "SHALLOW_NARROW")
    void parityCatchesAModelThatDoesNotMatch(Architecture architecture) {
        Random r = new Random(12);
        try (SsmtlTrainer a = new SsmtlTrainer(new SsmtlNetwork(architecture, 7, 80), 1e-3f, 1f, 1);
                SsmtlTrainer b = new SsmtlTrainer(new SsmtlNetwork(architecture, 7, 80), 1e-3f, 1f, 2)) {
            b.step(randomBatch(2, 7, r));
            Path file = OnnxExporter.export(a.network(), Map.of(), temp.resolve("a.onnx"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ExportParity.check(b.network(), file, randomBatch(2, 7, r).forward(), 2));
            assertTrue(e.getMessage().contains("parity failed"), e.getMessage());
        }
    }
}
