package io.vigil.trainer.data;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.image.CropBox;
import io.vigil.vision.image.Crops;
import io.vigil.vision.image.RgbImage;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The appearance teacher: an ImageNet classifier in ONNX (ResNet-50 in the paper; any model with input
 * [N,3,S,S] RGB, /255 then ImageNet mean/std, and [N,1000] pre-softmax logits, e.g. the MobileNetV2 in
 * ../shared). Its logits on an object's box in the middle frame are distillation targets.
 */
public final class ImageNetTeacher implements AutoCloseable {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final OnnxModel model;
    private final String input;
    private final int size;
    private final int classes;

    public ImageNetTeacher(OnnxModel model) {
        this.model = model;
        this.input = model.inputShapes().keySet().iterator().next();
        long[] in = model.inputShapes().get(input);
        long[] out = model.outputShapes().values().iterator().next();
        if (in.length != 4 || in[1] != 3 || in[2] <= 0 || in[2] != in[3] || out.length != 2 || out[1] <= 0) {
            throw new ModelLoadException("teacher " + model.path() + " must take [N,3,S,S] and give [N,classes]; it has "
                    + model.describeSignature());
        }
        this.size = (int) in[2];
        this.classes = (int) out[1];
    }

    public int classes() {
        return classes;
    }

    /** Logits of each box cropped from its frame, resized to the teacher's input size. */
    public List<float[]> logits(List<RgbImage> frames, List<CropBox> boxes) {
        int n = frames.size();
        int plane = size * size;
        float[] data = new float[n * 3 * plane];
        for (int k = 0; k < n; k++) {
            byte[] px = Crops.cropResize(frames.get(k), boxes.get(k), size).pixels();
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    data[(k * 3 + c) * plane + p] = ((px[p * 3 + c] & 0xFF) / 255f - MEAN[c]) / STD[c];
                }
            }
        }
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(data),
                new long[] {n, 3, size, size}); OrtSession.Result r = model.session().run(java.util.Map.of(input, t))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            List<float[]> logits = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                float[] row = new float[classes];
                out.get(k * classes, row);
                logits.add(row);
            }
            return logits;
        } catch (OrtException e) {
            throw new IllegalStateException("teacher " + model.path() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
