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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared part of the ONNX detectors: letterboxing a batch into one NCHW tensor, one session run per batch
 * (split where the model's batch is fixed), and decoding per image.
 */
abstract class OnnxDetector implements ObjectDetector {

    /** How a model family wants its input. */
    record InputFormat(Letterbox.Placement placement, boolean bgr, float divisor, int padValue) {
    }

    protected final OnnxModel model;
    protected final String inputName;
    protected final int size;
    private final int maxBatch;
    private final InputFormat format;

    OnnxDetector(OnnxModel model, String inputName, int defaultSize, int maxBatch, InputFormat format) {
        this.model = model;
        this.inputName = inputName;
        this.format = format;
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
        List<List<DetectedBox>> out = new ArrayList<>(batch.size());
        for (int from = 0; from < batch.size(); from += maxBatch) {
            out.addAll(detectChunk(batch.subList(from, Math.min(batch.size(), from + maxBatch))));
        }
        return out;
    }

    private List<List<DetectedBox>> detectChunk(List<DetectionInput> chunk) {
        int n = chunk.size();
        int per = 3 * size * size;
        float[] data = new float[n * per];
        List<Letterbox> boxes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            DetectionInput in = chunk.get(i);
            Letterbox lb = Letterbox.of(in.image().width(), in.image().height(), size, format.placement());
            lb.writeChw(in.image(), format.bgr(), format.divisor(), format.padValue(), data, i * per);
            boxes.add(lb);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(inputName, OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {n, 3, size, size}));
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
