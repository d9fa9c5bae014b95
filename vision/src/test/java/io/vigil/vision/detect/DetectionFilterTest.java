package io.vigil.vision.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.vision.detect.yolo.Nms;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DetectionFilterTest {

    static DetectedBox box(float x1, float y1, float x2, float y2, int cls, float conf) {
        return new DetectedBox(x1, y1, x2, y2, cls, conf, new float[80]);
    }

    @Test
    void appliesPerClassThresholdsAllowListMinimumSideAndClipping() {
        DetectionFilter f = new DetectionFilter(0.5f, Map.of(1, 0.8f), Set.of(0, 1), 8);
        List<DetectedBox> kept = f.apply(List.of(
                box(-10, 5, 50, 60, 0, 0.6f),   // person, clipped at the left edge
                box(10, 10, 50, 60, 1, 0.7f),   // bicycle below its 0.8 threshold
                box(10, 10, 50, 60, 1, 0.85f),  // bicycle kept
                box(10, 10, 50, 60, 2, 0.99f),  // car: not allowed
                box(10, 10, 15, 60, 0, 0.9f),   // 5 px wide: too small
                box(350, 230, 400, 300, 0, 0.9f), // clipped to 10x10: kept
                box(400, 300, 450, 350, 0, 0.9f)), // outside the frame
                360, 240);
        assertEquals(3, kept.size(), kept.toString());
        assertEquals(0f, kept.get(0).x1());
        assertEquals(0.85f, kept.get(1).confidence());
        assertEquals(360f, kept.get(2).x2());
        assertEquals(240f, kept.get(2).y2());
    }

    @Test
    void nmsKeepsTheBestOfOverlappingBoxesPerClass() {
        List<DetectedBox> kept = Nms.perClass(new java.util.ArrayList<>(List.of(
                box(0, 0, 10, 10, 0, 0.6f), box(1, 1, 11, 11, 0, 0.9f), box(1, 1, 11, 11, 1, 0.5f),
                box(50, 50, 60, 60, 0, 0.4f))), 0.45f);
        assertEquals(3, kept.size());
        assertEquals(0.9f, kept.get(0).confidence());
    }
}
