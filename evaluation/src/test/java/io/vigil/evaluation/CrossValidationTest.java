package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.evaluation.metrics.FrameAuc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CrossValidationTest {

    private static final boolean[] LABELS = {false, false, false, true, true};

    @Test
    void aHeldOutVideoWhoseNormalFramesScoreHighCostsThoughItRanksItsOwnFramesRight() {
        FrameAuc.Video calm = new FrameAuc.Video("a", new float[] {0, 0.1f, 0.2f, 1, 1.1f}, LABELS);
        FrameAuc.Video loud = new FrameAuc.Video("b", new float[] {2, 2.1f, 2.2f, 3, 3.1f}, LABELS);
        assertEquals(1.0, FrameAuc.video(loud), 1e-9, "its own frames in the right order");
        assertTrue(FrameAuc.heldOut(List.of(calm, loud), 1) < 1.0, "its normal frames outscore a's anomalies");
        FrameAuc.Video aligned = new FrameAuc.Video("c", new float[] {0, 0.1f, 0.2f, 1, 1.1f}, LABELS);
        assertEquals(1.0, FrameAuc.heldOut(List.of(calm, aligned), 1), 1e-9);
        // (b's 2 anomalous vs all 6 normal: all right) + (a's 2 anomalous vs b's 3 normal: all wrong) = 12 of 18.
        assertEquals(12.0 / 18, FrameAuc.heldOut(List.of(calm, loud), 1), 1e-9);
    }

    @Test
    void aComponentIsKeptOnlyWhenItHelpsMostHeldOutVideosAndDoesNotFollowTheCrowd() {
        List<Datasets.LabelledVideo> videos = new ArrayList<>();
        List<OfflinePipeline.VideoResult> results = new ArrayList<>();
        for (String id : List.of("01", "02", "03")) {
            videos.add(new Datasets.LabelledVideo(id, List.of(Path.of("0"), Path.of("1"), Path.of("2"), Path.of("3"),
                    Path.of("4")), LABELS, Optional.empty()));
            // "good" separates every video; "bad" inverts them; "base" is noise.
            results.add(result(id, Map.of("good", new float[] {0, 0.1f, 0.2f, 1, 1.1f}, "bad", new float[] {1, 1.1f, 1.2f, 0, 0.1f},
                    "base", new float[] {0.5f, 0.1f, 0.9f, 0.2f, 0.6f}), new int[] {1, 2, 3, 4, 5}));
        }
        // On normal video the "good" scores rise with the object count, "base" does not.
        List<OfflinePipeline.VideoResult> normal = List.of(result("n", Map.of("good", new float[] {0, 1, 2, 3, 4}, "bad",
                new float[] {0, 0, 0, 0, 0}, "base", new float[] {3, 1, 4, 1, 5}), new int[] {1, 2, 3, 4, 5}));
        CrossValidation cv = CrossValidation.of(videos, results, normal, List.of(
                new CrossValidation.Component("helps, follows the crowd", "good", "base", "good"),
                new CrossValidation.Component("hurts", "bad", "base", "base")));
        CrossValidation.ComponentResult good = cv.components().get(0);
        assertEquals(3, good.helps());
        assertEquals(1.0, good.crowdRho(), 1e-9);
        assertTrue(!good.keep() && good.verdict().contains("follows the crowd"), good.verdict());
        CrossValidation.ComponentResult bad = cv.components().get(1);
        assertEquals(0, bad.helps());
        assertTrue(!bad.keep() && bad.verdict().contains("0 of 3 folds"), bad.verdict());
        assertTrue(cv.markdown().contains("| hurts |"));
    }

    @Test
    void ranksShareTiesAndTheCorrelationIsSpearmans() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, CrossValidation.ranks(new double[] {1, 5, 5, 7}), 1e-9);
        assertEquals(1.0, CrossValidation.pearson(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-9);
        assertEquals(-1.0, CrossValidation.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-9);
        assertEquals(2.0, CrossValidation.slope(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-9);
    }

    private static OfflinePipeline.VideoResult result(String id, Map<String, float[]> scores, int[] objects) {
        return new OfflinePipeline.VideoResult(id, scores, scores, objects, List.of(), List.of(), 0, 0, 0);
    }
}
