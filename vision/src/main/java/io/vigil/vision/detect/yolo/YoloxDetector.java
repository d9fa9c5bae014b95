package io.vigil.vision.detect.yolo;

import ai.onnxruntime.OrtSession;
import io.vigil.vision.detect.DetectedBox;
import io.vigil.vision.image.Letterbox;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * YOLOX exported without its decoding head: input {@code images} [N,3,S,S] BGR 0..255 letterboxed top-left with
 * padding 114; output [N, A, 85] with, per anchor of the stride 8/16/32 grids (row-major), dx, dy, log w, log h,
 * objectness and 80 class scores (both already sigmoid). Centre = (d + grid) * stride, size = exp(log) * stride,
 * confidence = objectness x class score. The 80 class probabilities of a box are objectness x class scores.
 */
public final class YoloxDetector extends OnnxDetector {

    private static final int[] STRIDES = {8, 16, 32};
    private static final int ROW = 85;

    private final String outputName;
    private final float candidateThreshold;
    private final float nmsIou;
    private final int anchors;

    public YoloxDetector(OnnxModel model, float candidateThreshold, float nmsIou, int maxBatch) {
        super(model, firstInput(model), 416, maxBatch, new InputFormat(Letterbox.Placement.TOP_LEFT, true, 1f, 114));
        this.candidateThreshold = candidateThreshold;
        this.nmsIou = nmsIou;
        this.outputName = model.outputShapes().keySet().iterator().next();
        long[] out = model.outputShapes().get(outputName);
        int expectedAnchors = 0;
        for (int s : STRIDES) {
            expectedAnchors += (size / s) * (size / s);
        }
        if (out.length != 3 || out[2] != ROW || (out[1] > 0 && out[1] != expectedAnchors)) {
            throw new ModelLoadException(describe(expectedSignature() + ", i.e. [N, " + expectedAnchors
                    + ", 85] for input size " + size));
        }
        this.anchors = expectedAnchors;
    }

    private static String firstInput(OnnxModel model) {
        return model.inputShapes().keySet().iterator().next();
    }

    @Override
    protected String family() {
        return "yolox";
    }

    @Override
    protected String expectedSignature() {
        return "input [N,3,S,S] (BGR 0..255) and output [N, anchors of strides 8/16/32, 85]";
    }

    @Override
    protected List<List<DetectedBox>> decode(OrtSession.Result result, List<Letterbox> boxes) {
        FloatBuffer out = floats(result, outputName);
        List<List<DetectedBox>> all = new ArrayList<>();
        for (int b = 0; b < boxes.size(); b++) {
            Letterbox lb = boxes.get(b);
            List<DetectedBox> candidates = new ArrayList<>();
            int base = b * anchors * ROW;
            int anchor = 0;
            for (int stride : STRIDES) {
                int grid = size / stride;
                for (int gy = 0; gy < grid; gy++) {
                    for (int gx = 0; gx < grid; gx++, anchor++) {
                        int r = base + anchor * ROW;
                        float objectness = out.get(r + 4);
                        if (objectness < candidateThreshold) {
                            continue; // conf = obj * cls <= obj
                        }
                        float[] probs = new float[80];
                        int best = 0;
                        for (int c = 0; c < 80; c++) {
                            probs[c] = objectness * out.get(r + 5 + c);
                            if (probs[c] > probs[best]) {
                                best = c;
                            }
                        }
                        if (probs[best] < candidateThreshold) {
                            continue;
                        }
                        float cx = (out.get(r) + gx) * stride;
                        float cy = (out.get(r + 1) + gy) * stride;
                        float w = (float) Math.exp(out.get(r + 2)) * stride;
                        float h = (float) Math.exp(out.get(r + 3)) * stride;
                        candidates.add(new DetectedBox(lb.toSourceX(cx - w / 2), lb.toSourceY(cy - h / 2),
                                lb.toSourceX(cx + w / 2), lb.toSourceY(cy + h / 2), best, probs[best], probs));
                    }
                }
            }
            all.add(Nms.perClass(candidates, nmsIou));
        }
        return all;
    }
}
