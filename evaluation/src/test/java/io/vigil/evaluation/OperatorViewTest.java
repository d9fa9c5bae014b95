package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.common.scoring.EventDetector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperatorViewTest {

    static Datasets.LabelledVideo video(String id, boolean[] labels) {
        List<Path> frames = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            frames.add(Path.of(id, i + ".jpg"));
        }
        return new Datasets.LabelledVideo(id, frames, labels, Optional.empty());
    }

    static OfflinePipeline.Announced announced(String id, EventDetector.State state, long start, long end, long at) {
        return new OfflinePipeline.Announced(new EventDetector.Event(id, "c", state, start, end, end, 0, 0, 0, 4f), at);
    }

    static OfflinePipeline.VideoResult result(String id, List<OfflinePipeline.Announced> events) {
        return new OfflinePipeline.VideoResult(id, Map.of(), Map.of(), new int[0], List.of(), events, 0, 0, 0);
    }

    @Test
    void coveredAnomaliesTheirOpenDelayAndFalseAlarms() {
        boolean[] labels = new boolean[100];
        for (int f = 20; f <= 39; f++) {
            labels[f] = true; // anomaly 1: 20..39
        }
        for (int f = 70; f <= 79; f++) {
            labels[f] = true; // anomaly 2: 70..79, missed
        }
        List<OfflinePipeline.Announced> events = List.of(
                announced("c:18", EventDetector.State.OPEN, 18, 23, 32), // opened while frame 32 was read: 12 frames late
                announced("c:18", EventDetector.State.CLOSED, 18, 45, 54),
                announced("c:50", EventDetector.State.OPEN, 50, 55, 64), // over normal frames only
                announced("c:50", EventDetector.State.CLOSED, 50, 60, 69));
        OperatorView v = OperatorView.of(List.of(video("v", labels)), List.of(result("v", events)), 10);
        assertEquals(2, v.spans().size());
        assertEquals(Integer.valueOf(-2), v.spans().get(0).startDelay(), "the event starts 2 frames before the anomaly");
        assertEquals(Integer.valueOf(12), v.spans().get(0).announceDelay());
        assertNull(v.spans().get(1).startDelay(), "the second anomaly opened no event");
        assertEquals(1, v.covered());
        assertEquals(-2.0, v.medianStartDelay());
        assertEquals(12.0, v.medianAnnounceDelay());
        assertEquals(2, v.events());
        assertEquals(1, v.falseAlarms());
        assertEquals(100 / 10.0 / 3600, v.hours(), 1e-12);
    }

    @Test
    void anEventLastingOverSeveralAnomaliesOpensOnlyTheFirst() {
        boolean[] labels = new boolean[200];
        for (int f = 20; f <= 39; f++) {
            labels[f] = true; // anomaly 1
        }
        for (int f = 60; f <= 79; f++) {
            labels[f] = true; // anomaly 2: within the same event
        }
        for (int f = 120; f <= 139; f++) {
            labels[f] = true; // anomaly 3: its own event
        }
        List<OfflinePipeline.Announced> events = List.of(
                announced("c:25", EventDetector.State.OPEN, 25, 30, 34),
                announced("c:25", EventDetector.State.CLOSED, 25, 75, 90),
                announced("c:118", EventDetector.State.OPEN, 118, 123, 127),
                announced("c:118", EventDetector.State.CLOSED, 118, 140, 150));
        OperatorView v = OperatorView.of(List.of(video("v", labels)), List.of(result("v", events)), 10);
        assertEquals(2, v.covered(), "one alert, one anomaly found");
        assertNull(v.spans().get(1).startDelay());
        assertEquals(Integer.valueOf(-2), v.spans().get(2).startDelay());
        float[] smoothed = new float[200];
        for (int f = 25; f <= 75; f++) {
            smoothed[f] = 5f;
        }
        for (int f = 118; f <= 140; f++) {
            smoothed[f] = 5f;
        }
        assertEquals(List.of(2), OperatorView.opened(List.of(video("v", labels)), List.of(smoothed),
                new EventDetector.Settings(3f, 2f, 5, 10, 25)), "a threshold replayed counts alike");
    }
}
