package io.vigil.vision.onnx;

import static io.vigil.vision.onnx.OnnxGraphBuilder.intAttr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.onnx.proto.TensorProto.DataType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxGraphBuilderTest {

    @TempDir
    Path temp;

    @Test
    void writtenModelRunsInOnnxRuntimeWithDynamicBatchAndMetadata() throws Exception {
        // y = softmax(x * w + b) over the last axis; x: [batch, 3]
        OnnxGraphBuilder g = new OnnxGraphBuilder("tiny", 17);
        String x = g.input("x", DataType.FLOAT, "batch", 3);
        String w = g.floatInitializer("w", new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        String b = g.floatInitializer("b", new float[] {0.5f, -0.5f}, 2);
        String mm = g.node("MatMul", new String[] {x, w});
        String add = g.node("Add", new String[] {mm, b});
        g.node("Softmax", new String[] {add}, new String[] {"y"}, intAttr("axis", -1));
        g.output("y", DataType.FLOAT, "batch", 2);
        g.metadata("vigil.architecture", "tiny");
        Path file = g.write(temp.resolve("tiny.onnx"));

        try (OnnxModel model = OnnxSessionFactory.open(file, OnnxSessionFactory.Options.cpu(1))) {
            assertEquals("tiny", model.customMetadata().get("vigil.architecture"));
            assertArrayEquals(new long[] {-1, 3}, model.inputShapes().get("x"));
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            float[][] input = {{1, 2, 3}, {0, 0, 0}};
            try (OnnxTensor t = OnnxTensor.createTensor(env, input);
                    OrtSession.Result r = model.session().run(Map.of("x", t))) {
                float[][] y = (float[][]) r.get(0).getValue();
                // row 0: logits (1+3+0.5, 2+3-0.5) = (4.5, 4.5) -> (0.5, 0.5); row 1: (0.5, -0.5)
                assertEquals(0.5f, y[0][0], 1e-6);
                assertEquals(0.5f, y[0][1], 1e-6);
                assertEquals((float) (1 / (1 + Math.exp(-1))), y[1][0], 1e-6);
            }
        }
    }
}
