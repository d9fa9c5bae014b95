package io.vigil.common.scoring;

import static io.vigil.vision.onnx.OnnxGraphBuilder.intAttr;
import static io.vigil.vision.onnx.OnnxGraphBuilder.intsAttr;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.ObjectSequence;
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

    /** A black sequence of one 80-class detection in a 360x240 frame, centred on {@code middle}, for such a model. */
    public static ObjectSequence sequence(String camera, long middle, int frames, int crop) {
        Detection.Builder d = Detection.newBuilder().setClassId(0).setConfidence(0.9f)
                .setBox(Box.newBuilder().setX1(10).setY1(10).setX2(40).setY2(90));
        for (int c = 0; c < 80; c++) {
            d.addClassProbabilities(0.1f);
        }
        ObjectSequence.Builder b = ObjectSequence.newBuilder().setCameraId(camera).setMiddleFrameIndex(middle)
                .setSequenceLength(frames).setCropSize(crop).setPixels(ByteString.copyFrom(new byte[frames * crop * crop * 3]))
                .setDetection(d).setFrameWidth(360).setFrameHeight(240);
        for (int i = 0; i < frames; i++) {
            b.addFrameIndices(Math.max(0, middle - frames / 2 + i));
        }
        return b.build();
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
