package io.vigil.trainer.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.vigil.trainer.data.ObjectClips;
import io.vigil.trainer.network.NumericGuard;
import io.vigil.trainer.network.SsmtlNetwork;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimisation step of the joint loss on a batch of objects:
 * arrow of time = cross-entropy on the forward (label 0) and reversed (label 1) windows; motion irregularity =
 * cross-entropy on the forward (0) and intermittent (1) windows; middle-box prediction = L1 between the crop
 * predicted from the forward window without its middle frame and the real middle crop; distillation = L1 between
 * the distillation head and the detector's class probabilities (plus a teacher's logits when configured).
 * Joint loss L1 + L2 + L3 + lambda * L4, Adam.
 */
public final class SsmtlTrainer implements AutoCloseable {

    private final SsmtlNetwork net;
    private final NDManager manager;
    /** Replaced on {@link #load}: DJL's store keeps the arrays it handed out first, not the ones loaded since. */
    private ParameterStore parameters;
    private final Optimizer optimizer;
    private final float lambda;
    private final int frames;
    private final int crop;
    private int steps;

    public SsmtlTrainer(SsmtlNetwork net, float learningRate, float lambda, long seed) {
        if (lambda <= 0 || lambda > 1) {
            throw new IllegalArgumentException("lambda must be in (0, 1], got " + lambda);
        }
        Engine.getInstance().setRandomSeed((int) seed);
        this.net = net;
        this.manager = NDManager.newBaseManager();
        this.parameters = new ParameterStore(manager, false);
        this.lambda = lambda;
        this.frames = net.frames();
        this.crop = SsmtlNetwork.CROP;
        net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, frames, crop, crop));
        attachGradients();
        this.optimizer = Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build();
    }

    public SsmtlNetwork network() {
        return net;
    }

    private void attachGradients() {
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
    }

    /** Writes the network's parameters (weights and batch-norm statistics); refuses non-finite ones. */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        NumericGuard.requireFiniteParameters(net, "to save a checkpoint");
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(java.nio.file.Files.newOutputStream(file))) {
            net.saveParameters(out);
        }
    }

    /** Loads parameters written by {@link #save}, ready to train on. */
    public void load(java.nio.file.Path file) throws java.io.IOException, ai.djl.MalformedModelException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(java.nio.file.Files.newInputStream(file))) {
            net.loadParameters(manager, in);
        }
        parameters = new ParameterStore(manager, false);
        attachGradients();
    }

    /**
     * Trains on the batch once; returns its losses before the update. Stops with a
     * {@link NumericGuard.NonFiniteException} before updating any weight when a loss or a gradient is not finite (the
     * batch-norm running statistics of that forward pass may be non-finite then: checkpoints and exports refuse them).
     */
    public TaskLosses step(ObjectClips.Batch batch) {
        steps++;
        try (NDManager step = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Inputs in = inputs(step, batch);
            Losses l = losses(in, true);
            TaskLosses losses = requireFinite(l.values(), in, true);
            gc.backward(l.total());
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray weight = p.getValue().getArray();
                if (weight.hasGradient()) {
                    NDArray gradient = weight.getGradient();
                    gradient.attach(step); // a new handle per call: closed with the step
                    gradients.put(p.getKey(), gradient);
                }
            }
            List<String> bad = NumericGuard.nonFinite(gradients);
            if (!bad.isEmpty()) {
                throw new NumericGuard.NonFiniteException("step " + steps + ": NaN or infinite gradients of " + bad
                        + " with finite losses (" + losses + "); no weight was updated");
            }
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray gradient = gradients.get(p.getKey());
                if (gradient != null) {
                    optimizer.update(p.getValue().getId(), p.getValue().getArray(), gradient);
                }
            }
            return losses;
        }
    }

    /**
     * Moves the encoder's batch-norm running statistics, which inference uses, towards this batch's windows as the task
     * heads see them (forward, reversed and intermittent, as in a training step), without changing any weight. A
     * training step also passes the masked windows of the middle-box task through the same encoder, and those pull
     * the running statistics towards a distribution inference never gives the heads: measured on Ped2 (epoch 3,
     * shallow-narrow, held-out video 14) the same weights had an irregularity loss of 2.37 and an arrow-of-time loss
     * of 0.29 in inference mode, and 0.12 and 0.011 after re-estimating on 38 batches. Call it for enough batches
     * that the running average (momentum 0.9) forgets the old values: {@link #BATCH_NORM_BATCHES}.
     */
    public void updateBatchNormStatistics(ObjectClips.Batch batch) {
        try (NDManager step = manager.newSubManager()) {
            Inputs in = inputs(step, batch);
            net.features(parameters, in.forward().concat(in.reversed(), 0).concat(in.intermittent(), 0), true);
        }
    }

    /**
     * The same for the middle-box pass: moves the running statistics towards this batch's windows with their middle
     * frame zeroed, as that pass sees them. Estimate these first and keep them with
     * {@link SsmtlNetwork#maskedStatistics(SsmtlNetwork.EncoderStatistics)}, then the plain pass's.
     */
    public void updateMaskedBatchNormStatistics(ObjectClips.Batch batch) {
        try (NDManager step = manager.newSubManager()) {
            net.features(parameters, net.maskMiddle(inputs(step, batch).forward()), true);
        }
    }

    /** Batches for {@link #updateBatchNormStatistics}: 0.9^64 < 0.2 % of the old statistics remain. */
    public static final int BATCH_NORM_BATCHES = 64;

    /** The losses on a batch without training (batch norm in inference mode); stops on a non-finite loss. */
    public TaskLosses evaluate(ObjectClips.Batch batch) {
        try (NDManager step = manager.newSubManager()) {
            Inputs in = inputs(step, batch);
            return requireFinite(losses(in, false).values(), in, false);
        }
    }

    /** The losses, or a NonFiniteException naming the first layer whose output is not finite on these inputs. */
    private TaskLosses requireFinite(TaskLosses losses, Inputs in, boolean training) {
        if (losses.finite()) {
            return losses;
        }
        long targets = NumericGuard.nonFinite(in.middle()) + NumericGuard.nonFinite(in.distill());
        NDArray windows = in.forward().concat(in.reversed(), 0).concat(in.intermittent(), 0);
        String where = (targets > 0 ? java.util.Optional.of("the targets (" + targets + " values)")
                : net.firstNonFiniteLayer(parameters, windows, training))
                .map(layer -> "the first non-finite values are in " + layer)
                .orElse("a layer-by-layer re-run of the same batch is finite everywhere, so the first pass computed "
                        + "what the second did not (a non-deterministic fault below the network)");
        throw new NumericGuard.NonFiniteException((training ? "step " + steps : "evaluation") + ": non-finite loss ("
                + losses + "); " + where);
    }

    private record Inputs(NDArray forward, NDArray reversed, NDArray intermittent, NDArray middle, NDArray distill) {
    }

    private record Losses(NDArray aot, NDArray mi, NDArray rec, NDArray dist, NDArray total) {
        TaskLosses values() {
            return new TaskLosses(aot.getFloat(), mi.getFloat(), rec.getFloat(), dist.getFloat(), total.getFloat());
        }
    }

    private Inputs inputs(NDManager m, ObjectClips.Batch b) {
        Shape seq = new Shape(b.size(), 3, frames, crop, crop);
        return new Inputs(m.create(b.forward(), seq), m.create(b.reversed(), seq), m.create(b.intermittent(), seq),
                m.create(b.middle(), new Shape(b.size(), 3, crop, crop)),
                m.create(b.distillTarget(), new Shape(b.size(), b.distillTarget().length / Math.max(1, b.size()))));
    }

    private Losses losses(Inputs in, boolean training) {
        NDManager m = in.forward().getManager();
        int n = (int) in.forward().getShape().get(0);
        // One encoder pass over all three windows: [forward; reversed; intermittent].
        NDArray all = in.forward().concat(in.reversed(), 0).concat(in.intermittent(), 0);
        NDArray features = net.features(parameters, all, training);
        NDArray fwd = features.get("0:" + n);
        NDArray rev = features.get(n + ":" + 2 * n);
        NDArray irr = features.get(2 * n + ":" + 3 * n);

        NDArray aotLogits = net.arrowOfTime(parameters, fwd.concat(rev, 0), training);
        NDArray aotLabels = m.zeros(new Shape(n)).concat(m.ones(new Shape(n)), 0);
        NDArray miLogits = net.irregularity(parameters, fwd.concat(irr, 0), training);
        NDArray l1 = crossEntropy(aotLogits, aotLabels);
        NDArray l2 = crossEntropy(miLogits, aotLabels);
        NDArray l3 = net.reconstruction(parameters, in.forward(), training).sub(in.middle()).abs().mean();
        NDArray l4 = net.distillation(parameters, fwd, training).sub(in.distill()).abs().mean();
        NDArray total = l1.add(l2).add(l3).add(l4.mul(lambda));
        return new Losses(l1, l2, l3, l4, total);
    }

    /** Mean softmax cross-entropy of [N, 2] logits against 0/1 labels. */
    private static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(1);
        NDArray picked = logp.get(":, 1").mul(labels).add(logp.get(":, 0").mul(labels.neg().add(1)));
        return picked.mean().neg();
    }

    /** Named parameter arrays, for checkpoints and the ONNX export. */
    public Map<String, NDArray> parameterArrays() {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray());
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
