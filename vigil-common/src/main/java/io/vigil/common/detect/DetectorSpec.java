package io.vigil.common.detect;

import io.vigil.common.onnx.Device;
import io.vigil.common.onnx.ModelLoadException;
import io.vigil.common.onnx.OnnxModel;
import io.vigil.common.onnx.OnnxSessionFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which detector to build and how: one description used by the object-detector service, the trainer and the
 * offline evaluator alike, so all of them see the same boxes.
 *
 * @param backend            yolox, yolov3, ultralytics or motion
 * @param model              ONNX file (not used by motion)
 * @param inputSize          network input side for models whose input size is dynamic
 * @param candidateThreshold boxes below this confidence are dropped before NMS (keep it at or below the
 *                           lowest class threshold of the {@link DetectionFilter})
 */
public record DetectorSpec(Backend backend, Path model, Device device, int intraOpThreads, int inputSize,
        float candidateThreshold, float nmsIou, int maxBatch, MotionDetector.Settings motion) {

    public enum Backend {
        YOLOX, YOLOV3, ULTRALYTICS, MOTION;

        public static Backend parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown detector backend '" + s + "': yolox, yolov3, ultralytics or motion");
            }
        }
    }

    /** Builds the detector; a missing or unfitting model fails here, naming the model and the expected shapes. */
    public ObjectDetector create() {
        if (backend == Backend.MOTION) {
            return new MotionDetector(motion);
        }
        if (model == null) {
            throw new ModelLoadException("detector backend " + backend.name().toLowerCase(Locale.ROOT)
                    + " needs a model file (vigil.detector.model)");
        }
        OnnxModel onnx = OnnxSessionFactory.open(model, new OnnxSessionFactory.Options(device, intraOpThreads, 0));
        try {
            return switch (backend) {
                case YOLOX -> new YoloxDetector(onnx, candidateThreshold, nmsIou, maxBatch);
                case YOLOV3 -> new Yolov3Detector(onnx, maxBatch);
                case ULTRALYTICS -> new UltralyticsDetector(onnx, candidateThreshold, nmsIou, maxBatch, inputSize);
                case MOTION -> throw new IllegalStateException();
            };
        } catch (RuntimeException e) {
            onnx.close();
            throw e;
        }
    }
}
