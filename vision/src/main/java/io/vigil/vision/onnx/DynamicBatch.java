package io.vigil.vision.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.vigil.vision.onnx.proto.GraphProto;
import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.NodeProto;
import io.vigil.vision.onnx.proto.TensorProto;
import io.vigil.vision.onnx.proto.TensorShapeProto;
import io.vigil.vision.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Many detector exports fix the batch at 1 (YOLOX among them), which rules out running frames of several
 * cameras in one call. This rewrites such a model for any batch size: the first dimension of every graph input
 * and output becomes symbolic, and Reshape targets that hard-code a leading 1 copy the batch instead (0).
 * {@link #verify} then checks that a batch of two gives exactly what two single runs give; callers fall back to
 * the original model when it does not. For a graph that does not depend on the image size (YOLOX), the image's
 * height and width can be made symbolic too, with every output dimension after the batch's.
 */
public final class DynamicBatch {

    private DynamicBatch() {
    }

    /** Writes the rewritten model to {@code out}; returns how many Reshape targets were changed. */
    public static int rewrite(Path in, Path out) {
        return rewrite(in, out, false);
    }

    /**
     * @param anyImageSize also make the image inputs' height and width (dimensions 2 and 3 of [N, C, H, W]) and the
     *                     outputs' dimensions after the first symbolic
     */
    public static int rewrite(Path in, Path out, boolean anyImageSize) {
        try {
            ModelProto.Builder model = ModelProto.parseFrom(Files.readAllBytes(in)).toBuilder();
            GraphProto.Builder graph = model.getGraphBuilder();
            for (ValueInfoProto.Builder v : graph.getInputBuilderList()) {
                symbolic(v, 0, "batch");
                if (anyImageSize && dims(v) == 4) {
                    symbolic(v, 2, "height");
                    symbolic(v, 3, "width");
                }
            }
            for (ValueInfoProto.Builder v : graph.getOutputBuilderList()) {
                symbolic(v, 0, "batch");
                for (int d = 1; anyImageSize && d < dims(v); d++) {
                    symbolic(v, d, "size" + d);
                }
            }
            graph.clearValueInfo(); // intermediate shapes recorded for batch 1 would now be wrong
            Set<String> reshapeTargets = new HashSet<>();
            for (NodeProto n : graph.getNodeList()) {
                if (n.getOpType().equals("Reshape") && n.getInputCount() > 1) {
                    reshapeTargets.add(n.getInput(1));
                }
            }
            int changed = 0;
            for (TensorProto.Builder t : graph.getInitializerBuilderList()) {
                if (reshapeTargets.contains(t.getName()) && t.getDataType() == TensorProto.DataType.INT64_VALUE
                        && t.getRawData().size() >= 8) {
                    ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                    if (raw.getLong(0) == 1) {
                        raw.putLong(0, 0);
                        t.setRawData(ByteString.copyFrom(raw.array()));
                        changed++;
                    }
                }
            }
            Files.write(out, model.build().toByteArray());
            return changed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + in + " for dynamic batches", e);
        }
    }

    private static int dims(ValueInfoProto.Builder v) {
        return v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimCount();
    }

    private static void symbolic(ValueInfoProto.Builder v, int dim, String name) {
        TensorShapeProto.Builder shape = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        if (shape.getDimCount() > dim) {
            shape.getDimBuilder(dim).clear().setDimParam(name);
        }
    }

    /**
     * True when the model's first output for a random batch of two equals (1e-4) the outputs of the two
     * inputs run one by one. Works for models with one float image input of shape [N, C, H, W].
     */
    public static boolean verify(OnnxModel model) {
        return verify(model, model.inputShapes().values().iterator().next());
    }

    /** {@link #verify(OnnxModel)} with images of {@code shape} (the original model's, where the rewrite made it symbolic). */
    public static boolean verify(OnnxModel model, long[] imageShape) {
        Map.Entry<String, long[]> input = model.inputShapes().entrySet().iterator().next();
        long[] shape = imageShape.clone();
        if (model.inputShapes().size() != 1 || shape.length != 4 || shape[1] <= 0 || shape[2] <= 0 || shape[3] <= 0) {
            return false;
        }
        int per = (int) (shape[1] * shape[2] * shape[3]);
        float[] data = new float[2 * per];
        Random random = new Random(7);
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat() * 255f;
        }
        try {
            float[] both = run(model, input.getKey(), data, 2, shape);
            float[] first = run(model, input.getKey(), java.util.Arrays.copyOfRange(data, 0, per), 1, shape);
            float[] second = run(model, input.getKey(), java.util.Arrays.copyOfRange(data, per, 2 * per), 1, shape);
            if (both.length != first.length + second.length) {
                return false;
            }
            for (int i = 0; i < both.length; i++) {
                float expected = i < first.length ? first[i] : second[i - first.length];
                if (Math.abs(both[i] - expected) > 1e-4f * Math.max(1f, Math.abs(expected))) {
                    return false;
                }
            }
            return true;
        } catch (OrtException | RuntimeException e) {
            return false;
        }
    }

    private static float[] run(OnnxModel model, String name, float[] data, int n, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {n, shape[1], shape[2], shape[3]});
                OrtSession.Result r = model.session().run(Map.of(name, t))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }
}
