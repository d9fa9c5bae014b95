package io.vigil.evaluation;

import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.onnx.Device;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The detector options of the offline tools (evaluator, trainer), a picocli mixin. The defaults are the
 * object-detector service's, so offline runs see the objects the stream sees and a model learns what it will score.
 */
public final class DetectorOptions {

    @Option(names = "--detector", paramLabel = "KIND", description = "yolox, yolov3, ultralytics or motion "
            + "(default: ${DEFAULT-VALUE})")
    String backend = "yolox";
    @Option(names = "--detector-model", paramLabel = "FILE", description = "the detector's ONNX model")
    Path model;
    @Option(names = "--detector-threshold", paramLabel = "P", description = "confidence a box of any class needs "
            + "(default: ${DEFAULT-VALUE})")
    float threshold = Float.parseFloat(DetectionFilter.DEFAULT_THRESHOLD);
    @Option(names = "--class-thresholds", paramLabel = "LIST", description = "per class, over the service's "
            + "person=0.5, e.g. bicycle=0.4,car=0.6")
    String classThresholds = "";
    @Option(names = "--add-moving-objects", paramLabel = "BOOL", arity = "1", description = "default: ${DEFAULT-VALUE}")
    boolean addMovingObjects;
    @Option(names = "--fitted-input", paramLabel = "BOOL", arity = "1", description = "YOLOX on the smallest input that "
            + "holds the frame, not the square (default: ${DEFAULT-VALUE})")
    boolean fittedInput = true;

    /** Confidence thresholds, no class filter, boxes of at least 4 px: the service's defaults. */
    public DetectionFilter filter() {
        return DetectionFilter.of(threshold, DetectionFilter.parseClassThresholds(classThresholds), Set.of(), 4f);
    }

    public DetectorSpec spec(Device device, int threads) {
        DetectorSpec.Backend kind = DetectorSpec.Backend.parse(backend);
        return new DetectorSpec(kind, kind == DetectorSpec.Backend.MOTION ? null : model, device, threads, 640,
                filter().lowestThreshold(), 0.45f, 8, true, MotionDetector.Settings.defaults(), addMovingObjects,
                fittedInput);
    }

    /** One line for reports: backend, model and thresholds (the service's per-class ones included). */
    public String describe() {
        DetectorSpec.Backend kind = DetectorSpec.Backend.parse(backend);
        Map<String, Float> byClass = new LinkedHashMap<>(DetectionFilter.DEFAULT_CLASS_THRESHOLDS);
        byClass.putAll(DetectionFilter.parseClassThresholds(classThresholds));
        return kind.name().toLowerCase(Locale.ROOT) + (kind == DetectorSpec.Backend.MOTION || model == null ? "" : " " + model)
                + ", confidence >= " + threshold + " (" + byClass.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",")) + ")"
                + (addMovingObjects ? ", with the motion detector's uncovered moving objects" : "")
                + (fittedInput || kind != DetectorSpec.Backend.YOLOX ? "" : ", on the model's square input");
    }
}
