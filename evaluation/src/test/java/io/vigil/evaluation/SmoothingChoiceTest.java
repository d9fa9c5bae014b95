package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.scoring.EventDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmoothingChoiceTest {

    static OfflinePipeline.VideoResult raw(String id, float[] scores) {
        return new OfflinePipeline.VideoResult(id, Map.of(), Map.of(OfflinePipeline.ALL, scores), new int[scores.length],
                List.of(), List.of(), 0, 0, 0);
    }

    /** Normal video blinks (6 frames at 3); an anomaly lasts (40 frames at 2): smoothing tells them apart. */
    @Test
    void smoothingIsRaisedWhileItOpensMoreAnomaliesAtTheThresholdsTheNormalVideoCallsFor() {
        List<OfflinePipeline.VideoResult> normal = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            float[] s = new float[600];
            Arrays.fill(s, 0.5f);
            for (int at = 50 + 20 * v; at < 600; at += 150) {
                Arrays.fill(s, at, at + 6, 3f);
            }
            normal.add(raw("n" + v, s));
        }
        List<Datasets.LabelledVideo> labelled = new ArrayList<>();
        List<OfflinePipeline.VideoResult> results = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            boolean[] labels = new boolean[300];
            float[] s = new float[300];
            Arrays.fill(s, 0.5f);
            for (int f = 100; f < 140; f++) {
                labels[f] = true;
                s[f] = 2f;
            }
            labelled.add(OperatorViewTest.video("t" + v, labels));
            results.add(raw("t" + v, s));
        }
        CrossValidation.EventBudget budget = new CrossValidation.EventBudget(new EventDetector.Settings(1f, 0.7f, 5, 10, 25),
                10, 1);

        SmoothingChoice c = SmoothingChoice.of(labelled, results, normal, List.of(4.0, 0.0, 40.0), 12, budget);

        assertEquals(List.of(0.0, 4.0, 40.0), c.candidates().stream().map(SmoothingChoice.Candidate::sigma).toList());
        SmoothingChoice.Candidate none = c.candidates().get(0);
        assertTrue(none.thresholds().open() > 3f, "unsmoothed, the blinks set the threshold: " + none.thresholds());
        assertEquals(List.of(0, 0, 0), none.opened());
        SmoothingChoice.Candidate some = c.candidates().get(1);
        assertEquals(12, some.lookahead(), "3 sigma");
        assertEquals(List.of(1, 1, 1), some.opened());
        assertEquals(3, some.videosMore());
        SmoothingChoice.Candidate most = c.candidates().get(2);
        assertEquals(12, most.lookahead(), "within the latency budget");
        assertEquals(0, most.videosMore(), "no more to open");
        assertEquals(1, c.chosen(), "a step that opens no more is not taken");
        assertEquals(3, c.anomalies());
        assertTrue(c.markdown(10).contains("| **4** | 12 frames, 1.2 s |"), c.markdown(10));
    }
}
