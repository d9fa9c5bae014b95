package io.vigil.vision.detect;

import io.vigil.vision.detect.yolo.UltralyticsDetector;
import io.vigil.vision.detect.yolo.Yolov3Detector;
import io.vigil.vision.detect.yolo.YoloxDetector;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.DynamicBatch;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Which detector to build and how: one description used by the object-detector service, the trainer and the
 * offline evaluator alike, so all of them see the same boxes.
 *
 * @param backend            yolox, yolov3, ultralytics or motion
 * @param model              ONNX file (not used by motion)
 * @param inputSize          network input side for models whose input size is dynamic
 * @param candidateThreshold boxes below this confidence are dropped before NMS (keep it at or below the
 *                           lowest class threshold of the {@link DetectionFilter})
 * @param dynamicBatch       rewrite a model with a fixed batch of 1 so that frames run in batches
 *                           ({@link DynamicBatch}; kept only when verified to give identical outputs)
 * @param addMovingObjects   add the motion detector's boxes of moving things the model's kept boxes do not cover
 *                           (fixed cameras; see {@link FrameDetector})
 */
public record DetectorSpec(Backend backend, Path model, Device device, int intraOpThreads, int inputSize,
        float candidateThreshold, float nmsIou, int maxBatch, boolean dynamicBatch, MotionDetector.Settings motion,
        boolean addMovingObjects) {

    /** Without moving-object boxes. */
    public DetectorSpec(Backend backend, Path model, Device device, int intraOpThreads, int inputSize,
            float candidateThreshold, float nmsIou, int maxBatch, boolean dynamicBatch, MotionDetector.Settings motion) {
        this(backend, model, device, intraOpThreads, inputSize, candidateThreshold, nmsIou, maxBatch, dynamicBatch, motion,
                false);
    }

    private static final Logger LOG = Logger.getLogger(DetectorSpec.class);

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

    /** The frames of each video or clip this detector sees before it finds anything: the motion detector's warm-up. */
    public int warmupFrames() {
        return backend == Backend.MOTION ? motion.warmupFrames() : 0;
    }

    /** The detector with {@code filter}, and the motion detector when moving objects are added. */
    public FrameDetector frameDetector(ObjectDetector detector, DetectionFilter filter, ImageCodec codec) {
        return new FrameDetector(detector, addMovingObjects && backend != Backend.MOTION ? new MotionDetector(motion) : null,
                filter, codec);
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
        OnnxSessionFactory.Options options = new OnnxSessionFactory.Options(device, intraOpThreads, 0);
        OnnxModel onnx = OnnxSessionFactory.open(model, options);
        if (dynamicBatch && maxBatch > 1 && backend != Backend.YOLOV3 && onnx.inputShapes().values().iterator().next()[0] == 1) {
            onnx = withDynamicBatch(onnx, options);
        }
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

    /** The model rewritten for any batch size if that gives identical outputs, else the model as it was. */
    private OnnxModel withDynamicBatch(OnnxModel fixed, OnnxSessionFactory.Options options) {
        try {
            Path rewritten = Files.createTempFile("vigil-dynamic-batch-", ".onnx");
            rewritten.toFile().deleteOnExit();
            DynamicBatch.rewrite(model, rewritten);
            OnnxModel dynamic = OnnxSessionFactory.open(rewritten, options);
            if (DynamicBatch.verify(dynamic)) {
                LOG.infof("%s has a fixed batch of 1; running it with dynamic batches (verified identical outputs)", model);
                fixed.close();
                return new OnnxModel(model, dynamic.session(), dynamic.device());
            }
            dynamic.close();
            LOG.warnf("%s has a fixed batch of 1 and could not be made batchable; frames run one by one", model);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("%s: dynamic batching unavailable (%s); frames run one by one", model, e.getMessage());
        }
        return fixed;
    }
}
