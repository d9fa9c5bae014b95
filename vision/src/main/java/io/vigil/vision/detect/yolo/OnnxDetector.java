package io.vigil.vision.detect.yolo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.detect.DetectedBox;
import io.vigil.vision.detect.DetectionInput;
import io.vigil.vision.detect.ObjectDetector;
import io.vigil.vision.image.Letterbox;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared part of the ONNX detectors: letterboxing a batch into one NCHW tensor, one session run per batch
 * (split where the model's batch is fixed), and decoding per image. With a fitted input ({@link Letterbox#fitted}),
 * a frame runs on the smallest rectangle of whole strides that holds it as scaled for the model's square.
 */
abstract class OnnxDetector implements ObjectDetector {

    /** How a model family wants its input. */
    record InputFormat(Letterbox.Placement placement, boolean bgr, float divisor, int padValue) {
    }

    /** The largest stride of the detectors' grids: a fitted input's sides are multiples of it. */
    static final int STRIDE = 32;

    protected final OnnxModel model;
    protected final String inputName;
    protected final int size;
    private final int maxBatch;
    private final InputFormat format;
    private final boolean fittedInput;

    /**
     * @param fittedInput run frames on fitted inputs: the model takes any image size (as {@code DynamicBatch} rewrites
     *                    it), and {@code defaultSize} is the square it was made for
     */
    OnnxDetector(OnnxModel model, String inputName, int defaultSize, int maxBatch, InputFormat format, boolean fittedInput) {
        this.model = model;
        this.inputName = inputName;
        this.format = format;
        this.fittedInput = fittedInput;
        long[] shape = model.inputShapes().get(inputName);
        if (shape == null || shape.length != 4 || (shape[1] != 3 && shape[1] != -1)) {
            throw new ModelLoadException(describe(expectedSignature()));
        }
        if (shape[2] > 0 && shape[3] > 0 && shape[2] != shape[3]) {
            throw new ModelLoadException(describe("a square input, got " + shape[2] + "x" + shape[3]));
        }
        this.size = shape[2] > 0 ? (int) shape[2] : defaultSize;
        this.maxBatch = shape[0] > 0 ? (int) shape[0] : Math.max(1, maxBatch);
    }

    /** "model X (family): expected ...; it has inputs ... outputs ...", for start-up errors. */
    protected String describe(String expectation) {
        return "model " + model.path() + " does not fit the " + family() + " detector: expected " + expectation
                + "; the model has " + model.describeSignature();
    }

    protected abstract String family();

    /** The inputs and outputs this family expects, for start-up errors. */
    protected abstract String expectedSignature();

    @Override
    public String name() {
        return family() + ":" + model.path().getFileName();
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public List<List<DetectedBox>> detect(List<DetectionInput> batch) {
        // Frames of one input size run together (all of them, but for fitted inputs of cameras of several shapes), so
        // a frame's boxes do not depend on which frames share its batch.
        Map<List<Integer>, List<Integer>> bySize = new LinkedHashMap<>();
        List<Letterbox> boxes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            DetectionInput in = batch.get(i);
            Letterbox lb = fittedInput
                    ? Letterbox.fitted(in.image().width(), in.image().height(), size, STRIDE, format.placement())
                    : Letterbox.of(in.image().width(), in.image().height(), size, format.placement());
            boxes.add(lb);
            bySize.computeIfAbsent(List.of(lb.inputWidth(), lb.inputHeight()), k -> new ArrayList<>()).add(i);
        }
        List<List<DetectedBox>> out = new ArrayList<>(Collections.nCopies(batch.size(), null));
        for (List<Integer> group : bySize.values()) {
            for (int from = 0; from < group.size(); from += maxBatch) {
                List<Integer> chunk = group.subList(from, Math.min(group.size(), from + maxBatch));
                List<List<DetectedBox>> found = detectChunk(chunk.stream().map(batch::get).toList(),
                        chunk.stream().map(boxes::get).toList());
                for (int k = 0; k < chunk.size(); k++) {
                    out.set(chunk.get(k), found.get(k));
                }
            }
        }
        return out;
    }

    /** One session run for frames whose letterboxes are of one input size. */
    private List<List<DetectedBox>> detectChunk(List<DetectionInput> chunk, List<Letterbox> boxes) {
        int n = chunk.size();
        int width = boxes.get(0).inputWidth();
        int height = boxes.get(0).inputHeight();
        int per = 3 * width * height;
        float[] data = new float[n * per];
        for (int i = 0; i < n; i++) {
            boxes.get(i).writeChw(chunk.get(i).image(), format.bgr(), format.divisor(), format.padValue(), data, i * per);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(inputName, OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {n, 3, height, width}));
            inputs.putAll(extraInputs(env, boxes));
            try (OrtSession.Result result = model.session().run(inputs)) {
                return decode(result, boxes);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("inference with " + name() + " failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Inputs besides the image, e.g. YOLOv3's image_shape. */
    protected Map<String, OnnxTensor> extraInputs(OrtEnvironment env, List<Letterbox> boxes) throws OrtException {
        return Map.of();
    }

    protected abstract List<List<DetectedBox>> decode(OrtSession.Result result, List<Letterbox> boxes)
            throws OrtException;

    protected static FloatBuffer floats(OrtSession.Result result, String name) {
        return ((OnnxTensor) result.get(name).orElseThrow(() -> new IllegalStateException("no output " + name)))
                .getFloatBuffer();
    }

    @Override
    public void close() {
        model.close();
    }
}
