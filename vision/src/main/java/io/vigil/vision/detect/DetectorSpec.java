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
 * @param fittedInput        YOLOX: run each frame scaled as for the model's square, but on the smallest input of whole
 *                           strides that holds it ({@link io.vigil.vision.image.Letterbox#fitted}): a 3:2 camera costs
 *                           a third less; kept only when the model runs so (checked at start-up)
 */
public record DetectorSpec(Backend backend, Path model, Device device, int intraOpThreads, int inputSize,
        float candidateThreshold, float nmsIou, int maxBatch, boolean dynamicBatch, MotionDetector.Settings motion,
        boolean addMovingObjects, boolean fittedInput) {

    /** Without moving-object boxes. */
    public DetectorSpec(Backend backend, Path model, Device device, int intraOpThreads, int inputSize,
            float candidateThreshold, float nmsIou, int maxBatch, boolean dynamicBatch, MotionDetector.Settings motion) {
        this(backend, model, device, intraOpThreads, inputSize, candidateThreshold, nmsIou, maxBatch, dynamicBatch, motion,
                false);
    }

    /** With the fitted input, the service's default. */
    public DetectorSpec(Backend backend, Path model, Device device, int intraOpThreads, int inputSize,
            float candidateThreshold, float nmsIou, int maxBatch, boolean dynamicBatch, MotionDetector.Settings motion,
            boolean addMovingObjects) {
        this(backend, model, device, intraOpThreads, inputSize, candidateThreshold, nmsIou, maxBatch, dynamicBatch, motion,
                addMovingObjects, true);
    }

    /** The side YOLOX exports are made for when their input does not say. */
    private static final int YOLOX_SIZE = 416;

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
        long[] shape = onnx.inputShapes().values().iterator().next();
        boolean batchable = dynamicBatch && maxBatch > 1 && backend != Backend.YOLOV3 && shape[0] == 1;
        boolean anySize = fittedInput && backend == Backend.YOLOX && shape.length == 4 && (shape[2] > 0 || shape[3] > 0);
        if (batchable || anySize) {
            onnx = rewritten(onnx, shape, options, anySize);
        }
        long[] now = onnx.inputShapes().values().iterator().next();
        // A rewrite for the input size alone makes the batch symbolic too; without dynamicBatch it stays as it was.
        int batch = now[0] < 0 && !batchable && shape[0] > 0 ? (int) shape[0] : maxBatch;
        boolean fitted = fittedInput && now.length == 4 && now[2] < 0 && now[3] < 0;
        try {
            return switch (backend) {
                case YOLOX -> new YoloxDetector(onnx, shape.length == 4 && shape[2] > 0 ? (int) shape[2] : YOLOX_SIZE, fitted,
                        candidateThreshold, nmsIou, batch);
                case YOLOV3 -> new Yolov3Detector(onnx, maxBatch);
                case ULTRALYTICS -> new UltralyticsDetector(onnx, candidateThreshold, nmsIou, maxBatch, inputSize);
                case MOTION -> throw new IllegalStateException();
            };
        } catch (RuntimeException e) {
            onnx.close();
            throw e;
        }
    }

    /**
     * The model rewritten for any batch size (and any image size) if a batch of two then gives what single runs give,
     * at the model's own input size and, for any image size, at a third less height; else the model as it was.
     */
    private OnnxModel rewritten(OnnxModel fixed, long[] shape, OnnxSessionFactory.Options options, boolean anySize) {
        String what = anySize ? "any batch and image size" : "dynamic batches";
        try {
            Path rewritten = Files.createTempFile("vigil-dynamic-batch-", ".onnx");
            rewritten.toFile().deleteOnExit();
            DynamicBatch.rewrite(model, rewritten, anySize);
            OnnxModel dynamic = OnnxSessionFactory.open(rewritten, options);
            long[] lower = shape.length == 4 ? new long[] {shape[0], shape[1], (shape[2] * 2 / 3 + 31) / 32 * 32, shape[3]} : shape;
            if (DynamicBatch.verify(dynamic, shape) && (!anySize || DynamicBatch.verify(dynamic, lower))) {
                LOG.infof("%s: running it with %s (verified: a batch gives what single runs give)", model, what);
                fixed.close();
                return new OnnxModel(model, dynamic.session(), dynamic.device());
            }
            dynamic.close();
            LOG.warnf("%s could not be run with %s; it runs as it is", model, what);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("%s: %s unavailable (%s); it runs as it is", model, what, e.getMessage());
        }
        return fixed;
    }
}
