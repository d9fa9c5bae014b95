package io.vigil.trainer.export;

import static io.vigil.vision.onnx.OnnxGraphBuilder.intAttr;
import static io.vigil.vision.onnx.OnnxGraphBuilder.intsAttr;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.ByteString;
import io.vigil.common.scoring.ModelContract;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import io.vigil.vision.onnx.proto.AttributeProto;
import io.vigil.vision.onnx.proto.GraphProto;
import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.NodeProto;
import io.vigil.vision.onnx.proto.StringStringEntryProto;
import io.vigil.vision.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Rewrites an exported SSMTL graph into one that computes the same outputs with less work, measured with ONNX
 * Runtime's profiler on the shipped model (2 threads, batch 32): the first stage's 3D convolution was 39 % of the
 * time, the second stage's 27 %.
 * <ol>
 *   <li><b>The masked pass reuses the plain pass where the masked frame cannot reach.</b> The middle-box pass sees
 *       the same frames with the middle one zeroed; after one 3x3x3 convolution and a temporal pooling by 2, only
 *       the pooled frames whose window touches the middle frame differ (2 of 3 for 7 frames). The masked pass
 *       convolves just the frames those need (4 of 7) and takes the others from the plain pass. Not when the masked
 *       pass normalises by batch-norm statistics of its own (models trained since 2026-12-06): then no pooled frame
 *       is the plain pass's.</li>
 *   <li><b>A 3D convolution over few frames becomes one 2D convolution per output frame.</b> ONNX Runtime's 3D
 *       convolution multiplies the zero padding in time (2 of 9 frame products for 3 frames, 2 of 3 for 1) and
 *       has no blocked-channel kernels; a 2D convolution over the stacked input frames each output frame sees has
 *       both. Applied where a stage has at most 3 frames and at least 8 input channels (with 3 input channels the
 *       stacking costs more than it saves, measured).</li>
 * </ol>
 * Batch normalisation and ReLU stay after each convolution, so ONNX Runtime still fuses them into it. The
 * rewritten model records {@value #METADATA_KEY} and is not rewritten twice.
 */
public final class SsmtlGraphOptimizer {

    public static final String METADATA_KEY = "vigil.graph_rewrite";
    private static final String VERSION = "masked-first-stage,temporal-split/1";
    private static final int MIN_CHANNELS_TO_SPLIT = 8;
    private static final int MAX_FRAMES_TO_SPLIT = 3;

    /**
     * What was rewritten: the masked pass's first stage shortened, 3D convolutions split in time, and 3D
     * convolutions that no longer compute a last frame the pooling drops.
     */
    public record Report(boolean maskedFirstStageShortened, int convolutionsSplit, int convolutionsTrimmed) {
        public boolean changed() {
            return maskedFirstStageShortened || convolutionsSplit > 0 || convolutionsTrimmed > 0;
        }
    }

    private static final Set<String> ENCODER_OPS = Set.of("Conv", "BatchNormalization", "Relu", "MaxPool");

    private final List<NodeProto> nodes;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final List<TensorProto> newInitializers = new ArrayList<>();
    private int counter;
    private String maskedFirstStageOutput;
    private int firstPooling;
    private int split;
    private int trimmed;

    private SsmtlGraphOptimizer(GraphProto graph) {
        this.nodes = new ArrayList<>(graph.getNodeList());
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    }

    /** The rewritten model with its report, or the model as it is when it was rewritten before. */
    public static Map.Entry<ModelProto, Report> optimize(ModelProto model) {
        if (model.getMetadataPropsList().stream().anyMatch(e -> e.getKey().equals(METADATA_KEY))) {
            return Map.entry(model, new Report(false, 0, 0));
        }
        GraphProto graph = model.getGraph();
        String input = ModelContract.INPUT_NAME;
        List<Long> dims = graph.getInputList().stream().filter(v -> v.getName().equals(input)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an SSMTL graph: no input " + input))
                .getType().getTensorType().getShape().getDimList().stream().map(d -> d.getDimValue()).toList();
        int frames = dims.get(2).intValue();
        int size = dims.get(3).intValue();
        SsmtlGraphOptimizer o = new SsmtlGraphOptimizer(graph);
        Optional<NodeProto> mask = o.consumers(input).stream().filter(n -> n.getOpType().equals("Mul")).findFirst();
        boolean shortened = o.shortenMaskedFirstStage(input, frames);
        o.rewriteConvolutions(input, frames, size);
        if (shortened) { // the masked pass now continues from the Concat of its first stage
            o.rewriteConvolutions(o.maskedFirstStageOutput, frames / o.firstPooling, size / 2);
        } else if (mask.isPresent()) {
            o.rewriteConvolutions(mask.get().getOutput(0), frames, size);
        }
        Report report = new Report(shortened, o.split, o.trimmed);
        if (!report.changed()) {
            return Map.entry(model, report);
        }
        List<NodeProto> sorted = o.topologicallySorted(graph);
        Set<String> used = new HashSet<>();
        sorted.forEach(n -> used.addAll(n.getInputList()));
        GraphProto.Builder g = graph.toBuilder().clearNode().clearValueInfo().clearInitializer().addAllNode(sorted);
        graph.getInitializerList().stream().filter(t -> used.contains(t.getName())).forEach(g::addInitializer);
        o.newInitializers.stream().filter(t -> used.contains(t.getName())).forEach(g::addInitializer);
        ModelProto.Builder m = model.toBuilder().setGraph(g);
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(METADATA_KEY).setValue(VERSION));
        return Map.entry(m.build(), report);
    }

    /** A rewritten file: what changed and the largest output difference to the original. */
    public record Rewritten(Path file, Report report, float maxDifference) {
    }

    /**
     * Rewrites the model file {@code in} to {@code out} (through a temporary file and an atomic move) once a random
     * batch gives the same four outputs in both, within {@link ExportParity#TOLERANCE}; throws otherwise.
     */
    public static Rewritten rewrite(Path in, Path out) {
        try {
            ModelProto original = ModelProto.parseFrom(Files.readAllBytes(in));
            Map.Entry<ModelProto, Report> optimized = optimize(original);
            Path target = out.toAbsolutePath();
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            OnnxGraphBuilder.write(optimized.getKey(), tmp);
            float diff = maxDifference(in, tmp);
            if (!(diff < ExportParity.TOLERANCE)) {
                Files.delete(tmp);
                throw new IllegalStateException("the rewritten graph of " + in + " differs from it by " + diff + " (max abs)");
            }
            return new Rewritten(Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE),
                    optimized.getValue(), diff);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite ONNX model " + in + " to " + out, e);
        }
    }

    /** The largest absolute difference over the four outputs of two SSMTL models on one random batch of 3. */
    public static float maxDifference(Path a, Path b) {
        try (OnnxModel ma = OnnxSessionFactory.open(a, OnnxSessionFactory.Options.cpu(0));
                OnnxModel mb = OnnxSessionFactory.open(b, OnnxSessionFactory.Options.cpu(0))) {
            long[] shape = ma.session().getInputInfo().get(ModelContract.INPUT_NAME).getInfo() instanceof TensorInfo info
                    ? info.getShape() : new long[0];
            shape[0] = 3;
            float[] batch = new float[(int) Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
            Random random = new Random(7);
            for (int i = 0; i < batch.length; i++) {
                batch[i] = random.nextFloat();
            }
            float worst = 0;
            try (OnnxTensor in = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(batch), shape);
                    OrtSession.Result ra = ma.session().run(Map.of(ModelContract.INPUT_NAME, in));
                    OrtSession.Result rb = mb.session().run(Map.of(ModelContract.INPUT_NAME, in))) {
                for (String output : ModelContract.OUTPUT_NAMES) {
                    FloatBuffer fa = ((OnnxTensor) ra.get(output).orElseThrow()).getFloatBuffer();
                    FloatBuffer fb = ((OnnxTensor) rb.get(output).orElseThrow()).getFloatBuffer();
                    if (fa.remaining() != fb.remaining()) {
                        return Float.POSITIVE_INFINITY;
                    }
                    while (fa.hasRemaining()) {
                        float d = Math.abs(fa.get() - fb.get());
                        worst = Float.isNaN(d) ? Float.POSITIVE_INFINITY : Math.max(worst, d);
                    }
                }
            }
            return worst;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot compare " + a + " and " + b + ": " + e.getMessage(), e);
        }
    }

    // ---- 1: the masked pass's first stage ----

    /**
     * Plain pass: Conv → BatchNormalization → Relu → MaxPool(p) on the input; masked pass: Mul(input, mask) → the
     * same four nodes with the same weights. The masked MaxPool's output is rebuilt from the plain one's unaffected
     * frames and a convolution of only the frames the affected ones need.
     */
    /**
     * The pooled frames {@code first..last} of the first stage that see the masked middle frame, and the input frames
     * {@code inFrom..inTo} (inclusive) that feed them, with the padding a convolution over just those frames needs.
     */
    record MaskedSpan(int first, int last, int inFrom, int inTo, long padBefore, long padAfter) {
        static MaskedSpan of(int frames, int p) {
            int middle = frames / 2;
            int first = -1;
            int last = -1;
            // Pooled frame j sees convolution outputs j*p .. j*p+p-1, which see input frames j*p-1 .. j*p+p.
            for (int j = 0; j < frames / p; j++) {
                if (j * p - 1 <= middle && middle <= j * p + p) {
                    first = first < 0 ? j : first;
                    last = j;
                }
            }
            return new MaskedSpan(first, last, Math.max(0, first * p - 1), Math.min(frames - 1, last * p + p),
                    first * p - 1 < 0 ? 1 : 0, last * p + p > frames - 1 ? 1 : 0);
        }
    }

    private boolean shortenMaskedFirstStage(String input, int frames) {
        Optional<NodeProto> mul = consumers(input).stream().filter(n -> n.getOpType().equals("Mul")).findFirst();
        Optional<NodeProto> conv = consumers(input).stream().filter(n -> n.getOpType().equals("Conv")).findFirst();
        if (mul.isEmpty() || conv.isEmpty()) {
            return false;
        }
        List<NodeProto> plain = stage(conv.get());
        List<NodeProto> maskedConv = consumers(mul.get().getOutput(0));
        List<NodeProto> masked = maskedConv.size() == 1 ? stage(maskedConv.get(0)) : List.of();
        if (plain.size() != 4 || masked.size() != 4 || !sameWeights(plain, masked) || !isSameConv3x3x3(plain.get(0))) {
            return false;
        }
        int p = (int) ints(plain.get(3), "kernel_shape")[0];
        int middle = frames / 2;
        int pooled = frames / p;
        MaskedSpan span = MaskedSpan.of(frames, p);
        if (span.first() <= 0 && span.last() >= pooled - 1) {
            return false; // every pooled frame sees the masked one: nothing to reuse
        }
        int first = span.first();
        int last = span.last();
        int inFrom = span.inFrom();
        int inTo = span.inTo();
        long padBefore = span.padBefore();
        long padAfter = span.padAfter();
        float[] keep = new float[inTo - inFrom + 1];
        Arrays.fill(keep, 1f);
        keep[middle - inFrom] = 0f;

        List<NodeProto> added = new ArrayList<>();
        String sliced = add(added, "Slice", List.of(input, longs(inFrom), longs(inTo + 1), longs(2)));
        String zeroed = add(added, "Mul", List.of(sliced, floats(keep, 1, 1, keep.length, 1, 1)));
        NodeProto c = plain.get(0);
        NodeProto shortConv = c.toBuilder().setName(name("Conv")).setInput(0, zeroed).setOutput(0, name("conv"))
                .clearAttribute().addAllAttribute(without(c.getAttributeList(), "pads"))
                .addAttribute(intsAttr("pads", padBefore, 1, 1, padAfter, 1, 1)).build();
        added.add(shortConv);
        String bn = add(added, plain.get(1), shortConv.getOutput(0));
        String relu = add(added, plain.get(2), bn);
        String pool = add(added, plain.get(3), relu);
        String plainPooled = plain.get(3).getOutput(0);
        List<String> parts = new ArrayList<>();
        if (first > 0) {
            parts.add(add(added, "Slice", List.of(plainPooled, longs(0), longs(first), longs(2))));
        }
        parts.add(pool);
        if (last < pooled - 1) {
            parts.add(add(added, "Slice", List.of(plainPooled, longs(last + 1), longs(pooled), longs(2))));
        }
        maskedFirstStageOutput = masked.get(3).getOutput(0);
        added.add(NodeProto.newBuilder().setOpType("Concat").setName(name("Concat")).addAllInput(parts)
                .addOutput(maskedFirstStageOutput).addAttribute(intAttr("axis", 2)).build());
        firstPooling = p;
        replace(List.of(mul.get(), masked.get(0), masked.get(1), masked.get(2), masked.get(3)), added);
        return true;
    }

    /** Conv, BatchNormalization, Relu, MaxPool in a single-consumer chain starting at {@code conv}. */
    private List<NodeProto> stage(NodeProto conv) {
        List<NodeProto> out = new ArrayList<>(List.of(conv));
        for (String op : List.of("BatchNormalization", "Relu", "MaxPool")) {
            List<NodeProto> next = consumers(out.get(out.size() - 1).getOutput(0));
            if (next.size() != 1 || !next.get(0).getOpType().equals(op)) {
                return List.of();
            }
            out.add(next.get(0));
        }
        return out.get(0).getOpType().equals("Conv") ? out : List.of();
    }

    private static boolean sameWeights(List<NodeProto> a, List<NodeProto> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).getInputList().subList(1, a.get(i).getInputCount())
                    .equals(b.get(i).getInputList().subList(1, b.get(i).getInputCount()))
                    || !a.get(i).getAttributeList().equals(b.get(i).getAttributeList())) {
                return false;
            }
        }
        return true;
    }

    private boolean isSameConv3x3x3(NodeProto conv) {
        return Arrays.equals(ints(conv, "kernel_shape"), new long[] {3, 3, 3})
                && Arrays.equals(ints(conv, "pads"), new long[] {1, 1, 1, 1, 1, 1});
    }

    // ---- 2: 3D convolutions over few frames, and frames the pooling drops ----

    /**
     * Walks an encoder pass from {@code start} ([N, C, frames, size, size]) through its convolutions, batch norms,
     * ReLUs and poolings: splits the convolutions that qualify, and trims the others' last frame where the pooling
     * after them drops it.
     */
    private void rewriteConvolutions(String start, int frames, int size) {
        String x = start;
        while (true) {
            List<NodeProto> next = consumers(x).stream().filter(n -> ENCODER_OPS.contains(n.getOpType())).toList();
            if (next.size() != 1) {
                return;
            }
            NodeProto n = next.get(0);
            x = n.getOutput(0);
            if (n.getOpType().equals("MaxPool")) {
                long[] k = ints(n, "kernel_shape");
                frames /= (int) k[0];
                size /= (int) k[1];
            } else if (n.getOpType().equals("Conv")) {
                List<NodeProto> convBnRelu = convBnRelu(n);
                TensorProto w = initializers.get(n.getInput(1));
                if (convBnRelu.isEmpty() || w == null || w.getDimsCount() != 5 || !isSameConv3x3x3(n)) {
                    continue;
                }
                int needed = framesKeptByPooling(convBnRelu.get(2), frames);
                if (frames <= MAX_FRAMES_TO_SPLIT && w.getDims(1) >= MIN_CHANNELS_TO_SPLIT) {
                    splitInTime(convBnRelu, frames, needed, size);
                    split++;
                    x = convBnRelu.get(2).getOutput(0);
                } else if (needed == frames - 1) { // the last frame's padding goes, and with it the frame
                    replace(List.of(n), List.of(n.toBuilder().clearAttribute().addAllAttribute(without(n.getAttributeList(), "pads"))
                            .addAttribute(intsAttr("pads", 1, 1, 1, 0, 1, 1)).build()));
                    trimmed++;
                }
            }
        }
    }

    /** How many leading frames of {@code relu}'s output a following temporal pooling reads (it drops the rest). */
    private int framesKeptByPooling(NodeProto relu, int frames) {
        List<NodeProto> next = consumers(relu.getOutput(0));
        if (next.size() != 1 || !next.get(0).getOpType().equals("MaxPool")) {
            return frames;
        }
        int p = (int) ints(next.get(0), "kernel_shape")[0];
        return frames / p * p;
    }

    private List<NodeProto> convBnRelu(NodeProto conv) {
        List<NodeProto> bn = consumers(conv.getOutput(0));
        if (bn.size() != 1 || !bn.get(0).getOpType().equals("BatchNormalization")) {
            return List.of();
        }
        List<NodeProto> relu = consumers(bn.get(0).getOutput(0));
        if (relu.size() != 1 || !relu.get(0).getOpType().equals("Relu")) {
            return List.of();
        }
        return List.of(conv, bn.get(0), relu.get(0));
    }

    /**
     * Output frame o of a 3x3x3 convolution padded by 1 in time sees input frames o-1..o+1 that exist: one 2D
     * convolution over those frames stacked as channels (frame-major), with the matching temporal kernel slices.
     */
    private void splitInTime(List<NodeProto> convBnRelu, int frames, int needed, int size) {
        NodeProto conv = convBnRelu.get(0);
        TensorProto w = initializers.get(conv.getInput(1));
        int filters = (int) w.getDims(0);
        int channels = (int) w.getDims(1);
        float[] weights = floatData(w);
        List<NodeProto> added = new ArrayList<>();
        String x = conv.getInput(0);
        // [N, C, T, H, W] -> [N, T*C, H, W], frame-major (a plain reshape when T is 1)
        String frameMajor = frames == 1 ? x : add(added, "Transpose", List.of(x), intsAttr("perm", 0, 2, 1, 3, 4));
        String stacked = add(added, "Reshape", List.of(frameMajor, longs(0, (long) frames * channels, size, size)));
        String output = convBnRelu.get(2).getOutput(0);
        List<String> perFrame = new ArrayList<>();
        for (int o = 0; o < needed; o++) {
            int lo = Math.max(0, o - 1);
            int hi = Math.min(frames - 1, o + 1);
            int seen = hi - lo + 1;
            float[] w2 = new float[filters * seen * channels * 9];
            for (int f = 0; f < filters; f++) {
                for (int t = lo; t <= hi; t++) {
                    for (int c = 0; c < channels; c++) {
                        System.arraycopy(weights, ((f * channels + c) * 3 + (t - o + 1)) * 9, w2,
                                ((f * seen + (t - lo)) * channels + c) * 9, 9);
                    }
                }
            }
            String in = seen == frames ? stacked
                    : add(added, "Slice", List.of(stacked, longs((long) lo * channels), longs((long) (hi + 1) * channels), longs(1)));
            List<String> convInputs = new ArrayList<>(conv.getInputList());
            convInputs.set(0, in);
            convInputs.set(1, floats(w2, filters, (long) seen * channels, 3, 3));
            String c2 = add(added, "Conv", convInputs, intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1));
            String bn = add(added, convBnRelu.get(1), c2);
            String relu = add(added, convBnRelu.get(2), bn);
            perFrame.add(add(added, "Unsqueeze", List.of(relu, longs(2))));
        }
        added.add(NodeProto.newBuilder().setOpType("Concat").setName(name("Concat")).addAllInput(perFrame)
                .addOutput(output).addAttribute(intAttr("axis", 2)).build());
        replace(convBnRelu, added);
    }

    // ---- graph editing ----

    private List<NodeProto> consumers(String tensor) {
        return nodes.stream().filter(n -> n.getInputList().contains(tensor)).toList();
    }

    private void replace(List<NodeProto> removed, List<NodeProto> added) {
        int at = nodes.indexOf(removed.get(0));
        nodes.removeAll(removed);
        nodes.addAll(Math.min(at, nodes.size()), added);
    }

    /** Adds a node of {@code op} with a fresh output; returns that output. */
    private String add(List<NodeProto> added, String op, List<String> inputs, AttributeProto... attributes) {
        String out = name(op.toLowerCase());
        added.add(NodeProto.newBuilder().setOpType(op).setName(name(op)).addAllInput(inputs).addOutput(out)
                .addAllAttribute(List.of(attributes)).build());
        return out;
    }

    /** A copy of {@code template} (same weights and attributes) reading {@code input}; returns its fresh output. */
    private String add(List<NodeProto> added, NodeProto template, String input) {
        String out = name(template.getOpType().toLowerCase());
        added.add(template.toBuilder().setName(name(template.getOpType())).setInput(0, input).setOutput(0, out).build());
        return out;
    }

    private String name(String base) {
        return "rw" + (++counter) + "_" + base;
    }

    private String longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return initializer(TensorProto.DataType.INT64, b, values.length);
    }

    private String floats(float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return initializer(TensorProto.DataType.FLOAT, b, dims);
    }

    private String initializer(TensorProto.DataType type, ByteBuffer raw, long... dims) {
        TensorProto t = TensorProto.newBuilder().setName(name("const")).setDataType(type.getNumber())
                .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(raw.array())).build();
        newInitializers.add(t);
        initializers.put(t.getName(), t);
        return t.getName();
    }

    private static float[] floatData(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            float[] out = new float[t.getRawData().size() / 4];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[t.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatData(i);
        }
        return out;
    }

    private static long[] ints(NodeProto n, String attribute) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(attribute)).findFirst()
                .map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray()).orElse(new long[0]);
    }

    private static List<AttributeProto> without(List<AttributeProto> attributes, String name) {
        return attributes.stream().filter(a -> !a.getName().equals(name)).toList();
    }

    /** Kahn's order over the edited node list, keeping the original order among ready nodes. */
    private List<NodeProto> topologicallySorted(GraphProto graph) {
        Set<String> ready = new HashSet<>(initializers.keySet());
        graph.getInputList().forEach(v -> ready.add(v.getName()));
        ready.add("");
        List<NodeProto> pending = new ArrayList<>(nodes);
        List<NodeProto> out = new ArrayList<>();
        while (!pending.isEmpty()) {
            NodeProto n = pending.stream().filter(p -> ready.containsAll(p.getInputList())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("rewritten graph has a node with a missing input"));
            pending.remove(n);
            out.add(n);
            ready.addAll(n.getOutputList());
        }
        return out;
    }

}
