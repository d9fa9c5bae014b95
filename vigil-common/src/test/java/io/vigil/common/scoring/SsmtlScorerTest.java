package io.vigil.common.scoring;

import static io.vigil.common.onnx.OnnxGraphBuilder.intAttr;
import static io.vigil.common.onnx.OnnxGraphBuilder.intsAttr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.common.onnx.ModelLoadException;
import io.vigil.common.onnx.OnnxGraphBuilder;
import io.vigil.common.onnx.OnnxModel;
import io.vigil.common.onnx.OnnxSessionFactory;
import io.vigil.common.onnx.proto.TensorProto.DataType;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.ObjectSequence;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer's arithmetic on a tiny model in the SSMTL export format with known outputs: P(backward) 0.7,
 * P(intermittent) 0.1, a middle crop predicted as flat 0.5 grey, distillation outputs all 0.2.
 */
class SsmtlScorerTest {

    static final int T = 7;
    static final int S = 8;

    @TempDir
    Path temp;

    private Path tinyModel(Map<String, String> metadata) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("tiny-ssmtl", 12);
        String in = g.input("sequences", DataType.FLOAT, "batch", 3, T, S, S);
        String mean = g.node("ReduceMean", new String[] {in}, intsAttr("axes", 1, 2, 3, 4), intAttr("keepdims", 0));
        String zero = g.node("Mul", new String[] {mean, g.floatInitializer("zero", new float[] {0}, 1)});
        String col = g.node("Unsqueeze", new String[] {zero}, intsAttr("axes", 1)); // [N,1] of zeros
        String img = g.node("Unsqueeze", new String[] {zero}, intsAttr("axes", 1, 2, 3)); // [N,1,1,1]
        g.node("Add", new String[] {col, g.floatInitializer("aot", new float[] {0.3f, 0.7f}, 1, 2)}, new String[] {"arrow_of_time"});
        g.node("Add", new String[] {col, g.floatInitializer("mi", new float[] {0.9f, 0.1f}, 1, 2)}, new String[] {"irregularity"});
        float[] grey = new float[3 * S * S];
        java.util.Arrays.fill(grey, 0.5f);
        g.node("Add", new String[] {img, g.floatInitializer("grey", grey, 1, 3, S, S)}, new String[] {"reconstruction"});
        float[] dist = new float[80];
        java.util.Arrays.fill(dist, 0.2f);
        g.node("Add", new String[] {col, g.floatInitializer("dist", dist, 1, 80)}, new String[] {"distillation"});
        g.output("arrow_of_time", DataType.FLOAT, "batch", 2);
        g.output("irregularity", DataType.FLOAT, "batch", 2);
        g.output("reconstruction", DataType.FLOAT, "batch", 3, S, S);
        g.output("distillation", DataType.FLOAT, "batch", 80);
        metadata.forEach(g::metadata);
        return g.write(temp.resolve("tiny-ssmtl.onnx"));
    }

    /** Middle crop white, other crops black; detector probabilities all 0.1. */
    static ObjectSequence sequence(int frames) {
        byte[] px = new byte[frames * S * S * 3];
        int plane = S * S * 3;
        java.util.Arrays.fill(px, (frames / 2) * plane, (frames / 2 + 1) * plane, (byte) 255);
        Detection.Builder d = Detection.newBuilder().setClassId(0).setConfidence(0.9f);
        for (int c = 0; c < 80; c++) {
            d.addClassProbabilities(0.1f);
        }
        return ObjectSequence.newBuilder().setCameraId("c").setSequenceLength(frames).setCropSize(S)
                .setPixels(ByteString.copyFrom(px)).setDetection(d).build();
    }

    @Test
    void taskScoresAndTheirMean() {
        try (OnnxModel m = OnnxSessionFactory.open(tinyModel(Map.of()), OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer scorer = new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
            SsmtlScorer.Scores s = scorer.score(List.of(sequence(T))).get(0);
            assertEquals(0.7f, s.arrowOfTime(), 1e-6);
            assertEquals(0.1f, s.irregularity(), 1e-6);
            assertEquals(0.5f, s.reconstruction(), 1e-6, "|0.5 - 1| over the white middle crop");
            assertEquals(0.1f, s.distillation(), 1e-6, "|0.2 - 0.1| over 80 classes");
            assertEquals((0.7f + 0.1f + 0.5f + 0.1f) / 4, s.score(), 1e-6);
        }
    }

    @Test
    void calibrationFromMetadataAndTaskAblation() {
        Map<String, String> meta = Map.of(
                "vigil.calibration.arrow_of_time.mean", "0.5", "vigil.calibration.arrow_of_time.std", "0.1",
                "vigil.calibration.arrow_of_time.p99", "0.9",
                "vigil.calibration.reconstruction.mean", "0.1", "vigil.calibration.reconstruction.std", "0.2",
                "vigil.calibration.reconstruction.p99", "0.25");
        try (OnnxModel m = OnnxSessionFactory.open(tinyModel(meta), OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer z = new SsmtlScorer(m, EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME, SsmtlScorer.Task.RECONSTRUCTION),
                    TaskCalibration.Mode.ZSCORE);
            // ((0.7 - 0.5) / 0.1 + (0.5 - 0.1) / 0.2) / 2 = (2 + 2) / 2
            assertEquals(2f, z.score(List.of(sequence(T))).get(0).score(), 1e-5);
            SsmtlScorer p99 = new SsmtlScorer(m, EnumSet.of(SsmtlScorer.Task.RECONSTRUCTION), TaskCalibration.Mode.P99);
            assertEquals(2f, p99.score(List.of(sequence(T))).get(0).score(), 1e-5);
            assertEquals(EnumSet.of(SsmtlScorer.Task.RECONSTRUCTION), p99.tasks());
        }
    }

    @Test
    void aBatchScoresLikeItsObjectsOneByOneAndBadSequencesAreNamed() {
        try (OnnxModel m = OnnxSessionFactory.open(tinyModel(Map.of()), OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer scorer = new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
            List<SsmtlScorer.Scores> batch = scorer.score(List.of(sequence(T), sequence(T), sequence(T)));
            assertEquals(3, batch.size());
            assertEquals(scorer.score(List.of(sequence(T))).get(0), batch.get(2));
            assertNull(scorer.incompatibility(sequence(T)));
            String problem = scorer.incompatibility(sequence(5));
            assertTrue(problem.contains("5 crops") && problem.contains("7 crops"), problem);
            assertThrows(IllegalArgumentException.class, () -> scorer.score(List.of(sequence(5))));
        }
    }

    @Test
    void aModelThatIsNotAnSsmtlExportIsRejected() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("other", 12);
        g.input("x", DataType.FLOAT, 1, 4);
        g.node("Identity", new String[] {"x"}, new String[] {"y"});
        g.output("y", DataType.FLOAT, 1, 4);
        try (OnnxModel m = OnnxSessionFactory.open(g.write(temp.resolve("other.onnx")), OnnxSessionFactory.Options.cpu(1))) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE));
            assertTrue(e.getMessage().contains("sequences"), e.getMessage());
        }
    }
}
