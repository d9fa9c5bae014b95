package io.vigil.trainer.network;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Optional;

/**
 * The SSMTL network: a shared 3D-conv encoder over a (2t+1)-frame object sequence and four heads.
 *
 * <p>Input: [N, 3, T, 64, 64] RGB in [0, 1] (channels first, then time). Outputs:
 * <ol>
 *   <li>arrow of time: 2 logits (forward, backward);</li>
 *   <li>motion irregularity: 2 logits (regular, intermittent);</li>
 *   <li>middle-box prediction: the middle crop [N, 3, 64, 64] in [0, 1], predicted from the sequence with the
 *       middle frame removed (zeroed), as in the paper;</li>
 *   <li>distillation: K values (the detector's 80 class probabilities, then the teacher's logits if any).</li>
 * </ol>
 * Class heads: 2D conv (32 filters, 3x3) + ReLU + 2x2 max pool + fully connected. Decoder: as many
 * (nearest x2 upsampling + 3x3 conv + ReLU) as encoder conv layers, a last 3x3 conv with 3 filters and a sigmoid.
 */
public final class SsmtlNetwork extends AbstractBlock {

    public static final int CROP = 64;
    public static final float BATCH_NORM_EPSILON = 1e-5f;

    private final Architecture architecture;
    private final int frames;
    private final int distillOutputs;
    private final Block encoder;
    private final Block arrowOfTime;
    private final Block irregularity;
    private final Block decoder;
    private final Block distillation;
    /** The middle-box pass's own batch-norm statistics for inference; empty until estimated (then the plain pass's). */
    private Optional<EncoderStatistics> maskedStatistics = Optional.empty();

    public SsmtlNetwork(Architecture architecture, int frames, int distillOutputs) {
        this.architecture = architecture;
        this.frames = frames;
        this.distillOutputs = distillOutputs;
        this.encoder = addChildBlock("encoder", encoder(architecture, frames));
        this.arrowOfTime = addChildBlock("arrow_of_time", classHead(2));
        this.irregularity = addChildBlock("irregularity", classHead(2));
        this.decoder = addChildBlock("decoder", decoder(architecture));
        this.distillation = addChildBlock("distillation", classHead(distillOutputs));
    }

    public Architecture architecture() {
        return architecture;
    }

    public int frames() {
        return frames;
    }

    public int distillOutputs() {
        return distillOutputs;
    }

    private static Block encoder(Architecture a, int frames) {
        SequentialBlock b = new SequentialBlock();
        int[] temporal = a.temporalPooling(frames);
        for (int i = 0; i < a.filters.size(); i++) {
            b.add(Conv3d.builder().setKernelShape(new Shape(3, 3, 3)).optPadding(new Shape(1, 1, 1))
                    .setFilters(a.filters.get(i)).build());
            b.add(BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).build());
            b.add(Activation.reluBlock());
            if ((i + 1) % a.convsPerStage == 0) {
                b.add(maxPool(temporal[(i + 1) / a.convsPerStage - 1]));
            }
        }
        // Global max pooling over time: [N, C, T, H, W] -> [N, C, H, W].
        b.add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().max(new int[] {2})), "temporal_max"));
        return b;
    }

    /** A 3D max pooling of t x 2 x 2, named so that the ONNX export can read its temporal kernel back. */
    static Block maxPool(int t) {
        Shape kernel = new Shape(t, 2, 2);
        return new LambdaBlock(x -> new NDList(Pool.maxPool3d(x.singletonOrThrow(), kernel, kernel, new Shape(0, 0, 0), false)),
                POOL + t);
    }

    /** The temporal kernel of a pooling made by {@link #maxPool}, or 0 for another block name. */
    public static int temporalKernel(String blockName) {
        return blockName.startsWith(POOL) ? Integer.parseInt(blockName.substring(POOL.length())) : 0;
    }

    private static final String POOL = "maxPool3d_t";

    private static Block classHead(int outputs) {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(outputs).build());
    }

    private static Block decoder(Architecture a) {
        SequentialBlock b = new SequentialBlock();
        int convs = a.filters.size();
        for (int i = 0; i < convs; i++) {
            if (i % a.convsPerStage == 0) {
                b.add(new LambdaBlock(x -> new NDList(upsample(x.singletonOrThrow())), "upsample"));
            }
            int filters = a.filters.get(convs - 1 - i);
            b.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build());
            b.add(Activation.reluBlock());
        }
        b.add(new ChannelPaddedConv2d(3)); // 3 filters: see ChannelPaddedConv2d for the NaN it avoids
        b.add(Activation.sigmoidBlock());
        return b;
    }

    /** Nearest-neighbour x2 upsampling of [N, C, H, W] (ONNX: Resize, nearest). */
    static NDArray upsample(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    /** The input with its middle frame set to zero, for middle-box prediction. */
    public NDArray maskMiddle(NDArray input) {
        NDManager m = input.getManager();
        float[] keep = new float[frames];
        java.util.Arrays.fill(keep, 1f);
        keep[frames / 2] = 0f;
        return input.mul(m.create(keep, new Shape(1, 1, frames, 1, 1)));
    }

    /** The blocks, for the ONNX export. */
    public Block encoderBlock() {
        return encoder;
    }

    public Block arrowOfTimeBlock() {
        return arrowOfTime;
    }

    public Block irregularityBlock() {
        return irregularity;
    }

    public Block decoderBlock() {
        return decoder;
    }

    public Block distillationBlock() {
        return distillation;
    }

    public NDArray features(ParameterStore ps, NDArray input, boolean training) {
        return encoder.forward(ps, new NDList(input), training).singletonOrThrow();
    }

    public NDArray arrowOfTime(ParameterStore ps, NDArray features, boolean training) {
        return arrowOfTime.forward(ps, new NDList(features), training).singletonOrThrow();
    }

    public NDArray irregularity(ParameterStore ps, NDArray features, boolean training) {
        return irregularity.forward(ps, new NDList(features), training).singletonOrThrow();
    }

    public NDArray distillation(ParameterStore ps, NDArray features, boolean training) {
        return distillation.forward(ps, new NDList(features), training).singletonOrThrow();
    }

    public NDArray reconstruction(ParameterStore ps, NDArray input, boolean training) {
        NDArray masked = training || maskedStatistics.isEmpty() ? features(ps, maskMiddle(input), training)
                : maskedFeatures(ps, maskMiddle(input), maskedStatistics.get());
        return decoder.forward(ps, new NDList(masked), training).singletonOrThrow();
    }

    /**
     * The running mean and variance of each of the encoder's batch norms, in order. A sequence with its middle frame
     * zeroed is not distributed as a whole one (3 of the first convolution's 7 output frames see the zeros), so the
     * middle-box pass gets statistics of its own at inference; with the plain pass's, Ped2's held-out middle-box loss
     * was 6 times its training loss while the other tasks' were within 1.5 times.
     */
    public record EncoderStatistics(List<float[]> means, List<float[]> variances) {
        public EncoderStatistics {
            means = List.copyOf(means);
            variances = List.copyOf(variances);
        }
    }

    /** The encoder's batch norms, in order. */
    public List<BatchNorm> encoderBatchNorms() {
        return ((SequentialBlock) encoder).getChildren().values().stream()
                .filter(BatchNorm.class::isInstance).map(BatchNorm.class::cast).toList();
    }

    /** The statistics the encoder's batch norms hold now (the plain pass's, once estimated). */
    public EncoderStatistics encoderStatistics() {
        List<BatchNorm> norms = encoderBatchNorms();
        return new EncoderStatistics(norms.stream().map(b -> parameter(b, "runningMean").toFloatArray()).toList(),
                norms.stream().map(b -> parameter(b, "runningVar").toFloatArray()).toList());
    }

    public Optional<EncoderStatistics> maskedStatistics() {
        return maskedStatistics;
    }

    public void maskedStatistics(EncoderStatistics statistics) {
        if (statistics.means().size() != encoderBatchNorms().size()) {
            throw new IllegalArgumentException(statistics.means().size() + " batch norms' statistics for an encoder with "
                    + encoderBatchNorms().size());
        }
        this.maskedStatistics = Optional.of(statistics);
    }

    /** The encoder in inference mode with the given batch-norm statistics in place of its own. */
    private NDArray maskedFeatures(ParameterStore ps, NDArray x, EncoderStatistics statistics) {
        NDManager m = x.getManager();
        int k = 0;
        for (Pair<String, Block> child : ((SequentialBlock) encoder).getChildren()) {
            if (child.getValue() instanceof BatchNorm b) {
                x = BatchNorm.batchNorm(x, m.create(statistics.means().get(k)), m.create(statistics.variances().get(k)),
                        parameter(b, "gamma"), parameter(b, "beta"), 1, 0.9f, BATCH_NORM_EPSILON, false).singletonOrThrow();
                k++;
            } else {
                x = child.getValue().forward(ps, new NDList(x), false).singletonOrThrow();
            }
        }
        return x;
    }

    /** A block's own parameter array. */
    public static NDArray parameter(Block b, String name) {
        for (Pair<String, Parameter> p : b.getDirectParameters()) {
            if (p.getKey().equals(name)) {
                return p.getValue().getArray();
            }
        }
        throw new IllegalStateException(b + " has no parameter " + name);
    }

    /**
     * Where a forward pass on {@code input} first gives a NaN or infinity: the input itself, the encoder's layers in
     * order, the three class heads, then the encoder and decoder of the middle-box prediction. Empty when every
     * output is finite.
     */
    public Optional<String> firstNonFiniteLayer(ParameterStore ps, NDArray input, boolean training) {
        long inputs = NumericGuard.nonFinite(input);
        if (inputs > 0) {
            return Optional.of("the input (" + inputs + " values)");
        }
        NDArray[] features = {input};
        Optional<String> bad = firstNonFinite("encoder", encoder, ps, features, training);
        for (Pair<String, Block> head : List.of(new Pair<>("arrow_of_time", arrowOfTime),
                new Pair<>("irregularity", irregularity), new Pair<>("distillation", distillation))) {
            if (bad.isEmpty()) {
                bad = firstNonFinite(head.getKey(), head.getValue(), ps, new NDArray[] {features[0]}, training);
            }
        }
        NDArray[] masked = {maskMiddle(input)};
        if (bad.isEmpty()) {
            bad = firstNonFinite("encoder (middle frame masked)", encoder, ps, masked, training);
        }
        return bad.isPresent() ? bad : firstNonFinite("decoder", decoder, ps, masked, training);
    }

    /** Runs the children of {@code block} one by one on {@code x[0]}, leaving the last output in it. */
    private static Optional<String> firstNonFinite(String name, Block block, ParameterStore ps, NDArray[] x, boolean training) {
        for (Pair<String, Block> child : ((SequentialBlock) block).getChildren()) {
            x[0] = child.getValue().forward(ps, new NDList(x[0]), training).singletonOrThrow();
            long bad = NumericGuard.nonFinite(x[0]);
            if (bad > 0) {
                String layer = child.getValue() instanceof LambdaBlock l ? child.getKey() + " " + l.getName() : child.getKey();
                return Optional.of(name + "/" + layer + " (" + bad + " of " + x[0].size() + " values)");
            }
        }
        return Optional.empty();
    }

    /** All four outputs for inference/export parity: arrow of time, irregularity, reconstruction, distillation. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray f = features(ps, x, training);
        return new NDList(arrowOfTime(ps, f, training), irregularity(ps, f, training), reconstruction(ps, x, training),
                distillation(ps, f, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, 2), new Shape(n, 2), new Shape(n, 3, CROP, CROP), new Shape(n, distillOutputs)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        encoder.initialize(manager, dataType, in);
        Shape f = encoder.getOutputShapes(new Shape[] {in})[0];
        arrowOfTime.initialize(manager, dataType, f);
        irregularity.initialize(manager, dataType, f);
        decoder.initialize(manager, dataType, f);
        distillation.initialize(manager, dataType, f);
    }
}
