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
 * Ultralytics exports (YOLOv5u, YOLOv8, YOLOv3u, …): input [N,3,S,S] RGB /255 letterboxed centred with padding
 * 114; output [N, 84, A]: per anchor cx, cy, w, h in input pixels, then 80 class scores (no objectness).
 * NMS runs here. The 80 class probabilities of a box are its 80 class scores.
 */
public final class UltralyticsDetector extends OnnxDetector {

    private final String outputName;
    private final float candidateThreshold;
    private final float nmsIou;

    public UltralyticsDetector(OnnxModel model, float candidateThreshold, float nmsIou, int maxBatch, int defaultSize) {
        super(model, model.inputShapes().keySet().iterator().next(), defaultSize, maxBatch,
                new InputFormat(Letterbox.Placement.CENTER, false, 255f, 114), false);
        this.candidateThreshold = candidateThreshold;
        this.nmsIou = nmsIou;
        this.outputName = model.outputShapes().keySet().iterator().next();
        long[] out = model.outputShapes().get(outputName);
        if (out.length != 3 || out[1] != 84) {
            throw new ModelLoadException(describe(expectedSignature()));
        }
    }

    @Override
    protected String family() {
        return "ultralytics";
    }

    @Override
    protected String expectedSignature() {
        return "input [N,3,S,S] (RGB /255) and output [N, 84, anchors] (4 box values + 80 classes)";
    }

    @Override
    protected List<List<DetectedBox>> decode(OrtSession.Result result, List<Letterbox> boxes) {
        FloatBuffer out = floats(result, outputName);
        int anchors = out.capacity() / (boxes.size() * 84);
        List<List<DetectedBox>> all = new ArrayList<>();
        for (int b = 0; b < boxes.size(); b++) {
            Letterbox lb = boxes.get(b);
            int base = b * 84 * anchors;
            List<DetectedBox> candidates = new ArrayList<>();
            for (int a = 0; a < anchors; a++) {
                int best = 0;
                float bestScore = -1;
                for (int c = 0; c < 80; c++) {
                    float s = out.get(base + (4 + c) * anchors + a);
                    if (s > bestScore) {
                        bestScore = s;
                        best = c;
                    }
                }
                if (bestScore < candidateThreshold) {
                    continue;
                }
                float[] probs = new float[80];
                for (int c = 0; c < 80; c++) {
                    probs[c] = out.get(base + (4 + c) * anchors + a);
                }
                float cx = out.get(base + a);
                float cy = out.get(base + anchors + a);
                float w = out.get(base + 2 * anchors + a);
                float h = out.get(base + 3 * anchors + a);
                candidates.add(new DetectedBox(lb.toSourceX(cx - w / 2), lb.toSourceY(cy - h / 2), lb.toSourceX(cx + w / 2),
                        lb.toSourceY(cy + h / 2), best, bestScore, probs));
            }
            all.add(Nms.perClass(candidates, nmsIou));
        }
        return all;
    }
}
