package io.vigil.trainer.export;

import static io.vigil.common.scoring.ModelContract.ARROW_OF_TIME_OUTPUT;
import static io.vigil.common.scoring.ModelContract.DISTILLATION_OUTPUT;
import static io.vigil.common.scoring.ModelContract.INPUT_NAME;
import static io.vigil.common.scoring.ModelContract.IRREGULARITY_OUTPUT;
import static io.vigil.common.scoring.ModelContract.RECONSTRUCTION_OUTPUT;
import static io.vigil.vision.onnx.OnnxGraphBuilder.floatAttr;
import static io.vigil.vision.onnx.OnnxGraphBuilder.intAttr;
import static io.vigil.vision.onnx.OnnxGraphBuilder.intsAttr;
import static io.vigil.vision.onnx.OnnxGraphBuilder.stringAttr;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import io.vigil.trainer.network.NumericGuard;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.TensorProto.DataType;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes a trained {@link SsmtlNetwork} as an ONNX graph of standard operators (Conv, BatchNormalization, Relu,
 * MaxPool, ReduceMax, Resize, Flatten, Gemm, Softmax, Sigmoid, Mul, and the Slice, Concat, Transpose, Reshape and
 * Unsqueeze of {@link SsmtlGraphOptimizer}), opset 13.
 *
 * <p>Input {@code sequences} [batch, 3, T, 64, 64] RGB in [0, 1]. Outputs {@code arrow_of_time} [batch, 2] and
 * {@code irregularity} [batch, 2] as probabilities (index 1 = backward / intermittent), {@code reconstruction}
 * [batch, 3, 64, 64] (the middle crop predicted from the sequence with its middle frame zeroed, computed inside
 * the graph), {@code distillation} [batch, K]. The encoder's weights are stored once and used by both passes.
 */
public final class OnnxExporter {

    private final OnnxGraphBuilder g = new OnnxGraphBuilder("ssmtl", 13);
    private final Map<Block, String> prefixes = new IdentityHashMap<>();
    private final Set<String> initializers = new HashSet<>();
    private int blockCounter;
    /** While the middle-box pass's encoder is written: its own batch-norm statistics, in order; else null. */
    private SsmtlNetwork.EncoderStatistics maskedStatistics;
    private int maskedNorms;

    private OnnxExporter() {
    }

    /**
     * Writes the graph as {@link SsmtlGraphOptimizer} rewrites it; refuses a network with a NaN or infinite
     * parameter.
     */
    public static Path export(SsmtlNetwork net, Map<String, String> metadata, Path file) {
        NumericGuard.requireFiniteParameters(net, "to export " + file);
        return OnnxGraphBuilder.write(SsmtlGraphOptimizer.optimize(graph(net, metadata)).getKey(), file);
    }

    /** The graph as the network is built: one encoder pass on the sequences, one on them masked. */
    public static ModelProto graph(SsmtlNetwork net, Map<String, String> metadata) {
        OnnxExporter e = new OnnxExporter();
        int t = net.frames();
        e.g.input(INPUT_NAME, DataType.FLOAT, "batch", 3, t, SsmtlNetwork.CROP, SsmtlNetwork.CROP);
        String features = e.sequential(net.encoderBlock(), INPUT_NAME);
        e.g.node("Softmax", new String[] {e.sequential(net.arrowOfTimeBlock(), features)}, new String[] {ARROW_OF_TIME_OUTPUT},
                intAttr("axis", 1));
        e.g.node("Softmax", new String[] {e.sequential(net.irregularityBlock(), features)}, new String[] {IRREGULARITY_OUTPUT},
                intAttr("axis", 1));
        e.g.node("Identity", new String[] {e.sequential(net.distillationBlock(), features)}, new String[] {DISTILLATION_OUTPUT});
        float[] keep = new float[t];
        java.util.Arrays.fill(keep, 1f);
        keep[t / 2] = 0f;
        String mask = e.g.floatInitializer("middle_frame_mask", keep, 1, 1, t, 1, 1);
        String masked = e.g.node("Mul", new String[] {INPUT_NAME, mask});
        e.maskedStatistics = net.maskedStatistics().orElse(null);
        String maskedFeatures = e.sequential(net.encoderBlock(), masked);
        e.maskedStatistics = null;
        e.g.node("Identity", new String[] {e.sequential(net.decoderBlock(), maskedFeatures)}, new String[] {RECONSTRUCTION_OUTPUT});
        e.g.output(ARROW_OF_TIME_OUTPUT, DataType.FLOAT, "batch", 2);
        e.g.output(IRREGULARITY_OUTPUT, DataType.FLOAT, "batch", 2);
        e.g.output(RECONSTRUCTION_OUTPUT, DataType.FLOAT, "batch", 3, SsmtlNetwork.CROP, SsmtlNetwork.CROP);
        e.g.output(DISTILLATION_OUTPUT, DataType.FLOAT, "batch", net.distillOutputs());
        metadata.forEach(e.g::metadata);
        return e.g.build();
    }

    private String sequential(Block block, String input) {
        if (!(block instanceof SequentialBlock seq)) {
            throw new IllegalArgumentException("expected a sequential block, got " + block);
        }
        String x = input;
        for (Pair<String, Block> child : seq.getChildren()) {
            x = emit(child.getValue(), x);
        }
        return x;
    }

    private String emit(Block b, String x) {
        if (b instanceof Conv3d || b instanceof Conv2d) {
            NDArray w = param(b, "weight");
            int spatial = (int) w.getShape().dimension() - 2;
            long[] pads = new long[2 * spatial];
            java.util.Arrays.fill(pads, 1);
            long[] kernel = java.util.Arrays.copyOfRange(w.getShape().getShape(), 2, 2 + spatial);
            return g.node("Conv", new String[] {x, init(b, "weight", w), init(b, "bias", param(b, "bias"))},
                    intsAttr("kernel_shape", kernel), intsAttr("pads", pads));
        }
        if (b instanceof BatchNorm) {
            String mean;
            String variance;
            if (maskedStatistics == null) {
                mean = init(b, "runningMean", param(b, "runningMean"));
                variance = init(b, "runningVar", param(b, "runningVar"));
            } else { // the middle-box pass's own statistics
                int k = maskedNorms++;
                mean = init(b, "maskedRunningMean", maskedStatistics.means().get(k));
                variance = init(b, "maskedRunningVar", maskedStatistics.variances().get(k));
            }
            return g.node("BatchNormalization", new String[] {x, init(b, "gamma", param(b, "gamma")),
                init(b, "beta", param(b, "beta")), mean, variance}, floatAttr("epsilon", SsmtlNetwork.BATCH_NORM_EPSILON));
        }
        if (b instanceof Linear) {
            return g.node("Gemm", new String[] {x, init(b, "weight", param(b, "weight")), init(b, "bias", param(b, "bias"))},
                    intAttr("transB", 1));
        }
        if (b instanceof LambdaBlock l && SsmtlNetwork.temporalKernel(l.getName()) > 0) {
            long t = SsmtlNetwork.temporalKernel(l.getName());
            return g.node("MaxPool", new String[] {x}, intsAttr("kernel_shape", t, 2, 2), intsAttr("strides", t, 2, 2));
        }
        if (b instanceof LambdaBlock l) {
            return switch (l.getName()) {
                case "ReLU" -> g.node("Relu", new String[] {x});
                case "sigmoid" -> g.node("Sigmoid", new String[] {x});
                case "maxPool2d" -> g.node("MaxPool", new String[] {x}, intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2));
                case "batchFlatten" -> g.node("Flatten", new String[] {x}, intAttr("axis", 1));
                case "temporal_max" -> g.node("ReduceMax", new String[] {x}, intsAttr("axes", 2), intAttr("keepdims", 0));
                case "upsample" -> g.node("Resize", new String[] {x, "", scales()}, stringAttr("mode", "nearest"),
                        stringAttr("coordinate_transformation_mode", "asymmetric"), stringAttr("nearest_mode", "floor"));
                default -> throw new IllegalArgumentException("no ONNX export for block " + l.getName());
            };
        }
        throw new IllegalArgumentException("no ONNX export for block " + b.getClass().getSimpleName());
    }

    private String scales() {
        if (initializers.add("upsample_scales")) {
            g.floatInitializer("upsample_scales", new float[] {1, 1, 2, 2}, 4);
        }
        return "upsample_scales";
    }

    private static NDArray param(Block b, String name) {
        return SsmtlNetwork.parameter(b, name);
    }

    /** Each block's weights once, also when the block appears twice in the graph (the shared encoder). */
    private String init(Block b, String name, NDArray value) {
        return init(b, name, value.toFloatArray(), value.getShape().getShape());
    }

    private String init(Block b, String name, float[] channels) {
        return init(b, name, channels, channels.length);
    }

    private String init(Block b, String name, float[] values, long... dims) {
        String prefix = prefixes.computeIfAbsent(b, k -> "b" + (++blockCounter) + "_" + b.getClass().getSimpleName());
        String full = prefix + "_" + name;
        if (initializers.add(full)) {
            g.floatInitializer(full, values, dims);
        }
        return full;
    }
}
