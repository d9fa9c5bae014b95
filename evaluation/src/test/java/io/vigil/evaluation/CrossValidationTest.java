package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                new CrossValidation.Component("hurts", "bad", "base", "base")), null);
        CrossValidation.ComponentResult good = cv.components().get(0);
        assertEquals(3, good.helps());
        assertEquals(1.0, good.crowdRho(), 1e-9);
        assertTrue(!good.keep() && good.verdict().contains("follows the crowd"), good.verdict());
        CrossValidation.ComponentResult bad = cv.components().get(1);
        assertEquals(0, bad.helps());
        assertTrue(!bad.keep() && bad.verdict().contains("0 of 3 folds"), bad.verdict());
        assertTrue(cv.markdown().contains("| hurts |"));
        assertTrue(cv.opened().isEmpty(), "no event budget, no events");
    }

    /**
     * A cue that ranks frames a little better but makes normal video noisy: its thresholds rise with the noise, and at
     * them it opens fewer anomalies than the quieter scoring without it. The folds alone would keep it.
     */
    @Test
    void eachSideOfAComponentOpensAnomaliesAtTheThresholdsItsOwnNormalVideoCallsFor() {
        boolean[] labels = new boolean[40];
        java.util.Arrays.fill(labels, 20, 30, true);
        float[] quiet = new float[40];
        float[] noisy = new float[40];
        java.util.Arrays.fill(quiet, 20, 30, 2f);
        java.util.Arrays.fill(noisy, 20, 30, 2.5f);
        List<Datasets.LabelledVideo> videos = new ArrayList<>();
        List<OfflinePipeline.VideoResult> results = new ArrayList<>();
        for (String id : List.of("01", "02")) {
            videos.add(new Datasets.LabelledVideo(id, java.util.Collections.nCopies(40, Path.of("f")), labels, Optional.empty()));
            results.add(result(id, Map.of("quiet", quiet, "noisy", noisy), new int[40]));
        }
        float[] normalQuiet = new float[40];
        float[] normalNoisy = new float[40];
        java.util.Arrays.fill(normalNoisy, 5, 15, 3f); // one run of 10 frames above anything the anomaly reaches
        List<OfflinePipeline.VideoResult> normal = List.of(result("n", Map.of("quiet", normalQuiet, "noisy", normalNoisy),
                new int[40]));
        io.vigil.common.scoring.EventDetector.Settings rules = new io.vigil.common.scoring.EventDetector.Settings(1.75f,
                1.25f, 5, 10, 25);
        CrossValidation cv = CrossValidation.of(videos, results, normal, List.of(new CrossValidation.Component("noisy cue",
                "noisy", "quiet", "noisy")), new CrossValidation.EventBudget(rules, 10, 1));
        CrossValidation.Opened o = cv.opened().get(0);
        assertEquals(2, o.anomalies());
        assertEquals(1.75f, o.withoutOpen(), "the quiet side keeps the default: its normal video raises nothing");
        assertEquals(2, o.withoutOpened());
        assertTrue(o.withOpen() > 3f, "above the noisy side's normal run: " + o.withOpen());
        assertEquals(0, o.withOpened(), "the anomaly's 2.5 no longer opens");
        assertEquals(List.of(1, 1), o.withoutByVideo());
        assertEquals(0, o.videosMore());
        assertEquals(2, o.videosFewer());
        assertFalse(o.keep(), o.verdict());
        assertFalse(cv.eventsDecide(), "4 seconds of normal video read no false-alarm budget");
        assertTrue(cv.markdown().contains("| noisy cue | 0 of 2"), cv.markdown());
        assertTrue(cv.markdown().contains("| 0 / 1 | 0 / 1 | 0 / 2 | drop: opens more in 0 videos, fewer in 2 |"),
                cv.markdown());

        // An hour of the same normal video: the events decide.
        List<OfflinePipeline.VideoResult> hour = java.util.Collections.nCopies(900, normal.get(0));
        assertTrue(CrossValidation.of(videos, results, hour, List.of(new CrossValidation.Component("noisy cue", "noisy",
                "quiet", "noisy")), new CrossValidation.EventBudget(rules, 10, 1)).eventsDecide());
    }

    @Test
    void aRunAgainstAnotherIsJudgedFoldByFoldOnTheHeadline() {
        List<Datasets.LabelledVideo> videos = new ArrayList<>();
        List<OfflinePipeline.VideoResult> results = new ArrayList<>();
        List<float[]> before = new ArrayList<>();
        for (String id : List.of("01", "02", "03")) {
            videos.add(new Datasets.LabelledVideo(id, List.of(Path.of("0"), Path.of("1"), Path.of("2"), Path.of("3"),
                    Path.of("4")), LABELS, Optional.empty()));
            results.add(result(id, Map.of(OfflinePipeline.ALL, new float[] {0, 0.1f, 0.2f, 1, 1.1f}), new int[5]));
            // Before: video 02 ranked its anomalies below its normal frames; the others as now.
            before.add(id.equals("02") ? new float[] {1, 1.1f, 1.2f, 0, 0.1f} : new float[] {0, 0.1f, 0.2f, 1, 1.1f});
        }
        List<CrossValidation.Fold> folds = CrossValidation.against(videos, results, before);
        assertEquals(List.of("01", "02", "03"), folds.stream().map(CrossValidation.Fold::video).toList());
        assertTrue(folds.get(1).heldOut() > 0.5, "02 gains: " + folds.get(1));
        assertEquals(0.0, folds.get(1).selection(), 1e-9, "the others do not change without 02");
        assertEquals(3, CrossValidation.helps(folds), "01 and 03 gain too: 02's scores no longer cross theirs");
        assertEquals(0, CrossValidation.helps(CrossValidation.against(videos, results, results.stream()
                .map(r -> r.frameScores().get(OfflinePipeline.ALL)).toList())), "a run against itself helps nowhere");
        assertTrue(CrossValidation.againstMarkdown("old/report.json", folds).contains("| 3 of 3 |"));
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
