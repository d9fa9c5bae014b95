package io.vigil.vision.detect.yolo;

import io.vigil.vision.detect.DetectedBox;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Greedy non-maximum suppression, separately per class. */
public final class Nms {

    private Nms() {
    }

    /** Keeps, per class, the highest-confidence boxes that overlap no kept box by more than {@code iou}. */
    public static List<DetectedBox> perClass(List<DetectedBox> boxes, float iou) {
        Map<Integer, List<DetectedBox>> byClass = boxes.stream().collect(Collectors.groupingBy(DetectedBox::classId));
        List<DetectedBox> kept = new ArrayList<>();
        for (List<DetectedBox> group : byClass.values()) {
            group.sort(Comparator.comparingDouble(DetectedBox::confidence).reversed());
            List<DetectedBox> keptInClass = new ArrayList<>();
            for (DetectedBox candidate : group) {
                boolean suppressed = false;
                for (DetectedBox k : keptInClass) {
                    if (k.iou(candidate) > iou) {
                        suppressed = true;
                        break;
                    }
                }
                if (!suppressed) {
                    keptInClass.add(candidate);
                }
            }
            kept.addAll(keptInClass);
        }
        kept.sort(Comparator.comparingDouble(DetectedBox::confidence).reversed());
        return kept;
    }
}
