package io.vigil.vision.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.TensorProto;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputPruningTest {

    @TempDir
    Path temp;

    /** Two heads on a shared trunk: "near" = x*w + b, "far" = sigmoid((x*w) * v). */
    private static ModelProto twoHeads() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("two-heads", 17);
        String x = g.input("x", TensorProto.DataType.FLOAT, 1, 4);
        String trunk = g.node("Mul", new String[] {x, g.floatInitializer("w", new float[] {1, 2, 3, 4}, 1, 4)});
        g.node("Add", new String[] {trunk, g.floatInitializer("b", new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 1, 4)},
                new String[] {"near"});
        String scaled = g.node("Mul", new String[] {trunk, g.floatInitializer("v", new float[] {-1, 1, -1, 1}, 1, 4)});
        g.node("Sigmoid", new String[] {scaled}, new String[] {"far"});
        g.output("near", TensorProto.DataType.FLOAT, 1, 4);
        g.output("far", TensorProto.DataType.FLOAT, 1, 4);
        return g.build();
    }

    @Test
    void keepsWhatTheWantedOutputsNeedAndNothingElse() {
        OutputPruning.Pruned p = OutputPruning.keep(twoHeads(), Set.of("near", "not-an-output"));
        assertTrue(p.changed());
        assertEquals(List.of("near"), p.outputs());
        assertEquals(4, p.nodesBefore());
        assertEquals(2, p.nodesAfter(), "the trunk and the near head");
        assertEquals(List.of("w", "b"), p.model().getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
        assertEquals(1, p.model().getGraph().getInputCount());
    }

    @Test
    void aModelKeepingAllOrNoneOfItsOutputsComesBackAsItIs() {
        ModelProto model = twoHeads();
        assertSame(model, OutputPruning.keep(model, Set.of("near", "far")).model());
        assertFalse(OutputPruning.keep(model, Set.of("middle_box")).changed(), "its user names what it lacks");
    }

    @Test
    void aSessionOpenedForOneOutputHasOnlyThatAndComputesItBitForBit() throws Exception {
        Path file = OnnxGraphBuilder.write(twoHeads(), temp.resolve("two-heads.onnx"));
        float[] x = {0.3f, -1.7f, 2.5f, 1e-3f};
        try (OnnxModel whole = OnnxSessionFactory.open(file, OnnxSessionFactory.Options.cpu(1));
                OnnxModel near = OnnxSessionFactory.open(file, OnnxSessionFactory.Options.cpu(1), Set.of("near"))) {
            assertEquals(Set.of("near", "far"), whole.outputShapes().keySet());
            assertEquals(Set.of("near"), near.outputShapes().keySet());
            assertEquals(file, near.path());
            assertArrayEquals(run(whole, x, "near"), run(near, x, "near"));
        }
    }

    private static float[] run(OnnxModel model, float[] x, String output) throws Exception {
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(x), new long[] {1, 4});
                OrtSession.Result r = model.session().run(Map.of("x", t), Set.of(output))) {
            FloatBuffer out = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }
}
