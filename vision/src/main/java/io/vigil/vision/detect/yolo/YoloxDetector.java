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
 * YOLOX's graph does not depend on the input size, so with its spatial dimensions made symbolic it runs on a fitted
 * input ({@link Letterbox#fitted}), whose grids are then the input's sides over each stride.
 */
public final class YoloxDetector extends OnnxDetector {

    private static final int[] STRIDES = {8, 16, 32};
    private static final int ROW = 85;

    private final String outputName;
    private final float candidateThreshold;
    private final float nmsIou;

    /**
     * @param size        the square the model was made for (its input's side, 416 when that is symbolic)
     * @param fittedInput run each batch on the smallest fitted input instead of the square; the model's input must
     *                    then have symbolic height and width
     */
    public YoloxDetector(OnnxModel model, int size, boolean fittedInput, float candidateThreshold, float nmsIou, int maxBatch) {
        super(model, firstInput(model), size, maxBatch, new InputFormat(Letterbox.Placement.TOP_LEFT, true, 1f, 114),
                fittedInput);
        this.candidateThreshold = candidateThreshold;
        this.nmsIou = nmsIou;
        this.outputName = model.outputShapes().keySet().iterator().next();
        long[] out = model.outputShapes().get(outputName);
        int expectedAnchors = anchors(size, size);
        if (out.length != 3 || out[2] != ROW || (out[1] > 0 && out[1] != expectedAnchors)) {
            throw new ModelLoadException(describe(expectedSignature() + ", i.e. [N, " + expectedAnchors
                    + ", 85] for input size " + size));
        }
        long[] in = model.inputShapes().get(inputName);
        if (fittedInput && (in[2] > 0 || in[3] > 0)) {
            throw new ModelLoadException(describe("an input of symbolic height and width for a fitted input"));
        }
    }

    private static int anchors(int width, int height) {
        int n = 0;
        for (int s : STRIDES) {
            n += (width / s) * (height / s);
        }
        return n;
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
        // One input size per batch: its grids.
        int width = boxes.get(0).inputWidth();
        int height = boxes.get(0).inputHeight();
        int anchors = anchors(width, height);
        if (out.capacity() != boxes.size() * anchors * ROW) {
            throw new IllegalStateException(name() + " gave " + out.capacity() + " values for " + boxes.size() + " inputs of "
                    + width + "x" + height + ", expected " + boxes.size() * anchors * ROW);
        }
        List<List<DetectedBox>> all = new ArrayList<>();
        for (int b = 0; b < boxes.size(); b++) {
            Letterbox lb = boxes.get(b);
            List<DetectedBox> candidates = new ArrayList<>();
            int base = b * anchors * ROW;
            int anchor = 0;
            for (int stride : STRIDES) {
                int columns = width / stride;
                int rows = height / stride;
                for (int gy = 0; gy < rows; gy++) {
                    for (int gx = 0; gx < columns; gx++, anchor++) {
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
