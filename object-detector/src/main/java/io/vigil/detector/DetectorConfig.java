package io.vigil.detector;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vigil.kafka.LoopSettings;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.onnx.Device;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code vigil.detector.*}: the detector and how frames are batched for it. */
@ConfigMapping(prefix = "vigil.detector")
public interface DetectorConfig extends LoopSettings {

    /** yolox, yolov3 (ONNX zoo yolov3-10, the paper's detector), ultralytics, or motion (no model file). */
    @WithDefault("motion")
    @NotBlank
    String backend();

    /** The ONNX model file, for every backend but motion. */
    Optional<Path> model();

    /** auto tries CUDA and falls back to the CPU; cuda fails without it. */
    @WithDefault("auto")
    Device device();

    /** Threads for one ONNX operator; 0: as many CPUs as this process may use (OnnxSessionFactory.intraOpThreads). */
    @WithDefault("0")
    @Min(0)
    int intraOpThreads();

    /** Input side for models whose input size is dynamic (Ultralytics exports: 640). */
    @WithDefault("640")
    @Positive
    int inputSize();

    /** Confidence a box of any class needs (paper: 0.5 on Ped2, 0.8 on Avenue and ShanghaiTech); people: 0.5 by default. */
    @WithDefault(DetectionFilter.DEFAULT_THRESHOLD)
    @DecimalMin("0")
    @DecimalMax("1")
    float confidenceThreshold();

    /**
     * Per-class thresholds by COCO id or name, e.g. {@code vigil.detector.class-thresholds.bicycle=0.4}, over the
     * defaults ({@code person=0.5}).
     */
    Map<String, Float> classThresholds();

    /** Classes to keep, by id or name (empty = all). */
    Optional<List<String>> classes();

    /** Boxes with a side shorter than this many pixels (after clipping to the frame) are dropped. */
    @WithDefault("4")
    @DecimalMin("0")
    float minBoxSide();

    @WithDefault("0.45")
    @DecimalMin("0")
    @DecimalMax("1")
    float nmsIou();

    /** Frames of any cameras run through the model together, at most this many. */
    @WithDefault("8")
    @Positive
    int maxBatch();

    /**
     * Rewrite a model whose batch is fixed at 1 (e.g. YOLOX exports) so that batches run in one call; kept only
     * when a check at start-up gives identical outputs.
     */
    @WithDefault("true")
    boolean dynamicBatch();

    /**
     * YOLOX: run each frame on the smallest input of whole strides that holds it as scaled for the model's square,
     * not on the square itself (a 3:2 camera costs a third less); kept only when a check at start-up runs it so.
     */
    @WithDefault("true")
    boolean fittedInput();

    /** Largest frame accepted (decompression bombs). */
    @WithDefault("33177600")
    @Positive
    long maxFramePixels();

    /**
     * Also box moving things the model's kept boxes do not cover, with the motion detector below (fixed cameras only;
     * frames of a camera must reach one consumer in order, as they do by the camera key).
     */
    @WithDefault("false")
    boolean addMovingObjects();

    Motion motion();

    interface Motion {
        @WithDefault("200")
        @Positive
        int history();

        @WithDefault("9")
        @Positive
        double varThreshold();

        @WithDefault("false")
        boolean detectShadows();

        @WithDefault("40")
        @Positive
        int minArea();

        @WithDefault("3")
        @Min(0)
        int mergeRadius();

        /** Frames per camera that only train the background ({@code MotionDetector.Settings.WARMUP_FRAMES}). */
        @WithDefault("60")
        @Min(0)
        int warmupFrames();
    }
}
