package io.vigil.common.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the services keep of a detector's output: boxes clipped to the frame, at least {@code minBoxSide}
 * pixels on each side, of an allowed class (empty allow-list = all), with confidence at or above the class's
 * threshold (paper: 0.5 on Ped2, 0.8 on Avenue and ShanghaiTech).
 */
public record DetectionFilter(float defaultThreshold, Map<Integer, Float> classThresholds, Set<Integer> allowedClasses,
        float minBoxSide) {

    public DetectionFilter {
        if (defaultThreshold < 0 || defaultThreshold > 1) {
            throw new IllegalArgumentException("confidence threshold must be in [0,1], got " + defaultThreshold);
        }
        if (minBoxSide < 0) {
            throw new IllegalArgumentException("minimum box side must be >= 0, got " + minBoxSide);
        }
        classThresholds = Map.copyOf(classThresholds);
        allowedClasses = Set.copyOf(allowedClasses);
    }

    public static DetectionFilter threshold(float threshold) {
        return new DetectionFilter(threshold, Map.of(), Set.of(), 0);
    }

    public List<DetectedBox> apply(List<DetectedBox> boxes, int frameWidth, int frameHeight) {
        List<DetectedBox> kept = new ArrayList<>();
        for (DetectedBox b : boxes) {
            if (b.classId() >= 0 && !allowedClasses.isEmpty() && !allowedClasses.contains(b.classId())) {
                continue;
            }
            if (b.confidence() < classThresholds.getOrDefault(b.classId(), defaultThreshold)) {
                continue;
            }
            DetectedBox clipped = b.withBounds(Math.max(0, b.x1()), Math.max(0, b.y1()), Math.min(frameWidth, b.x2()),
                    Math.min(frameHeight, b.y2()));
            if (clipped.width() < Math.max(minBoxSide, 1e-3f) || clipped.height() < Math.max(minBoxSide, 1e-3f)) {
                continue;
            }
            kept.add(clipped);
        }
        return kept;
    }
}
