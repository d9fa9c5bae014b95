package io.vigil.vision.detect.yolo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.vigil.vision.detect.DetectedBox;
import io.vigil.vision.image.Letterbox;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ONNX model zoo YOLOv3 ({@code yolov3-10.onnx}), the paper's detector: inputs {@code input_1} [N,3,416,416]
 * RGB /255 letterboxed centred with grey (128) padding, and {@code image_shape} [N,2] = (height, width) of the
 * original frame; outputs {@code boxes} [N,M,4] as (y1,x1,y2,x2) in original pixels (the model un-letterboxes),
 * {@code scores} [N,80,M] and {@code indices} [K,3] (or [1,K,3]) of (batch, class, box) after the model's NMS.
 * The 80 class probabilities of a box are its column of {@code scores}.
 */
public final class Yolov3Detector extends OnnxDetector {

    static final String IMAGE = "input_1";
    static final String IMAGE_SHAPE = "image_shape";
    static final String BOXES = "boxes";
    static final String SCORES = "scores";
    static final String INDICES = "indices";

    public Yolov3Detector(OnnxModel model, int maxBatch) {
        super(model, IMAGE, 416, maxBatch, new InputFormat(Letterbox.Placement.CENTER, false, 255f, 128), false);
        Map<String, long[]> in = model.inputShapes();
        Map<String, long[]> out = model.outputShapes();
        if (!in.containsKey(IMAGE_SHAPE) || !out.containsKey(BOXES) || !out.containsKey(SCORES) || !out.containsKey(INDICES)
                || out.get(SCORES).length != 3 || (out.get(SCORES)[1] > 0 && out.get(SCORES)[1] != 80)) {
            throw new ModelLoadException(describe(expectedSignature()));
        }
    }

    @Override
    protected String family() {
        return "yolov3";
    }

    @Override
    protected String expectedSignature() {
        return "inputs input_1 [N,3,416,416] and image_shape [N,2]; outputs boxes [N,M,4], scores [N,80,M], indices [K,3]";
    }

    @Override
    protected Map<String, OnnxTensor> extraInputs(OrtEnvironment env, List<Letterbox> boxes) throws OrtException {
        float[] shape = new float[boxes.size() * 2];
        for (int i = 0; i < boxes.size(); i++) {
            shape[2 * i] = boxes.get(i).sourceHeight();
            shape[2 * i + 1] = boxes.get(i).sourceWidth();
        }
        return Map.of(IMAGE_SHAPE, OnnxTensor.createTensor(env, FloatBuffer.wrap(shape), new long[] {boxes.size(), 2}));
    }

    @Override
    protected List<List<DetectedBox>> decode(OrtSession.Result result, List<Letterbox> letterboxes) throws OrtException {
        OnnxTensor boxesT = (OnnxTensor) result.get(BOXES).orElseThrow();
        OnnxTensor scoresT = (OnnxTensor) result.get(SCORES).orElseThrow();
        long[] scoreShape = scoresT.getInfo().getShape();
        int m = (int) scoreShape[2];
        FloatBuffer boxes = boxesT.getFloatBuffer();
        FloatBuffer scores = scoresT.getFloatBuffer();
        long[] indices = longs((OnnxTensor) result.get(INDICES).orElseThrow());
        List<List<DetectedBox>> all = new ArrayList<>();
        for (int b = 0; b < letterboxes.size(); b++) {
            all.add(new ArrayList<>());
        }
        for (int k = 0; k + 2 < indices.length; k += 3) {
            int b = (int) indices[k];
            int c = (int) indices[k + 1];
            int i = (int) indices[k + 2];
            if (b < 0 || b >= letterboxes.size() || c < 0 || c >= 80 || i < 0 || i >= m) {
                throw new IllegalStateException("yolov3 returned an index out of range: (" + b + "," + c + "," + i + ")");
            }
            float[] probs = new float[80];
            for (int cc = 0; cc < 80; cc++) {
                probs[cc] = scores.get((b * 80 + cc) * m + i);
            }
            int r = (b * m + i) * 4;
            all.get(b).add(new DetectedBox(boxes.get(r + 1), boxes.get(r), boxes.get(r + 3), boxes.get(r + 2), c, probs[c],
                    probs));
        }
        return all;
    }

    private static long[] longs(OnnxTensor t) {
        OnnxValue v = t;
        TensorInfo info = t.getInfo();
        return switch (info.type) {
            case INT64 -> {
                java.nio.LongBuffer lb = t.getLongBuffer();
                long[] a = new long[lb.remaining()];
                lb.get(a);
                yield a;
            }
            case INT32 -> {
                java.nio.IntBuffer ib = t.getIntBuffer();
                long[] a = new long[ib.remaining()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = ib.get(i);
                }
                yield a;
            }
            default -> throw new IllegalStateException("yolov3 indices have type " + info.type + " (" + v + ")");
        };
    }
}
