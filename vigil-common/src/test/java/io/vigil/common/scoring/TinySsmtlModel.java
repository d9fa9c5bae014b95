package io.vigil.common.scoring;

import static io.vigil.vision.onnx.OnnxGraphBuilder.intAttr;
import static io.vigil.vision.onnx.OnnxGraphBuilder.intsAttr;

import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.proto.TensorProto.DataType;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test fixture (shared through vigil-common's test jar): a model in the SSMTL export format with known outputs —
 * P(backward) {@code aot}, P(intermittent) {@code irregular}, a flat 0.5 grey middle crop, distillation all 0.2.
 */
public final class TinySsmtlModel {

    private TinySsmtlModel() {
    }

    public static Path write(Path file, int frames, int crop, float aot, float irregular, Map<String, String> metadata) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("tiny-ssmtl", 12);
        String in = g.input("sequences", DataType.FLOAT, "batch", 3, frames, crop, crop);
        String mean = g.node("ReduceMean", new String[] {in}, intsAttr("axes", 1, 2, 3, 4), intAttr("keepdims", 0));
        String zero = g.node("Mul", new String[] {mean, g.floatInitializer("zero", new float[] {0}, 1)});
        String col = g.node("Unsqueeze", new String[] {zero}, intsAttr("axes", 1));
        String img = g.node("Unsqueeze", new String[] {zero}, intsAttr("axes", 1, 2, 3));
        g.node("Add", new String[] {col, g.floatInitializer("aot", new float[] {1 - aot, aot}, 1, 2)},
                new String[] {"arrow_of_time"});
        g.node("Add", new String[] {col, g.floatInitializer("mi", new float[] {1 - irregular, irregular}, 1, 2)},
                new String[] {"irregularity"});
        float[] grey = new float[3 * crop * crop];
        java.util.Arrays.fill(grey, 0.5f);
        g.node("Add", new String[] {img, g.floatInitializer("grey", grey, 1, 3, crop, crop)}, new String[] {"reconstruction"});
        float[] dist = new float[80];
        java.util.Arrays.fill(dist, 0.2f);
        g.node("Add", new String[] {col, g.floatInitializer("dist", dist, 1, 80)}, new String[] {"distillation"});
        g.output("arrow_of_time", DataType.FLOAT, "batch", 2);
        g.output("irregularity", DataType.FLOAT, "batch", 2);
        g.output("reconstruction", DataType.FLOAT, "batch", 3, crop, crop);
        g.output("distillation", DataType.FLOAT, "batch", 80);
        metadata.forEach(g::metadata);
        return g.write(file);
    }
}
