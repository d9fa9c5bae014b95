package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.evaluation.metrics.RegionTrackDetection;
import io.vigil.evaluation.metrics.RegionTrackDetection.Region;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ObjectRankingTest {

    private static final String ARROW = OfflinePipeline.alone(SsmtlScorer.Task.ARROW_OF_TIME);
    private static final String SPEED = OfflinePipeline.alone(SsmtlScorer.Task.SPEED);

    private static OfflinePipeline.ScoredObject object(String video, long frame, float x1, float score, float arrow, float speed) {
        Region box = new Region(video, frame, x1, 10, x1 + 20, 50);
        return new OfflinePipeline.ScoredObject(new RegionTrackDetection.Prediction(box, score),
                new SsmtlScorer.Scores(arrow, Float.NaN, Float.NaN, 0.5f, speed, score));
    }

    private static Datasets.LabelledVideo video(String id, boolean masks) {
        List<Path> frames = Collections.nCopies(3, Path.of("f.jpg"));
        return new Datasets.LabelledVideo(id, frames, new boolean[3], masks ? Optional.of(frames) : Optional.empty());
    }

    private static OfflinePipeline.VideoResult result(String id, List<OfflinePipeline.ScoredObject> objects) {
        return new OfflinePipeline.VideoResult(id, Map.of(), Map.of(), new int[0], objects, List.of(), 0, 0, 0);
    }

    /**
     * The object on the ground-truth region is anomalous, the one beside it on the same frame and those of other
     * frames are normal: the arrow of time ranks it above both, speed below one; a video without masks counts for
     * neither, and a task the model lacks (NaN) gets no number.
     */
    @Test
    void objectsOnAGroundTruthRegionAreTheAnomalousOnesAndEachScoreIsRankedOnThem() {
        var track = new RegionTrackDetection.Track(List.of(new Region("01", 1, 100, 12, 118, 48)));
        var v01 = List.of(object("01", 1, 100, 3f, 0.9f, 0.5f), object("01", 1, 200, 1f, 0.2f, 0.9f),
                object("01", 2, 100, 2f, 0.1f, 0.1f));
        var v02 = List.of(object("02", 1, 100, 9f, 0.0f, 0.0f)); // no masks: would be a normal object above all
        Set<String> variants = Set.of(OfflinePipeline.ALL, ARROW, SPEED,
                OfflinePipeline.alone(SsmtlScorer.Task.IRREGULARITY));

        Map<String, Double> auc = ObjectRanking.auc(List.of(video("01", true), video("02", false)),
                List.of(result("01", v01), result("02", v02)), List.of(track), variants);

        assertEquals(1.0, auc.get(OfflinePipeline.ALL), 1e-9);
        assertEquals(1.0, auc.get(ARROW), 1e-9);
        assertEquals(0.5, auc.get(SPEED), 1e-9);
        assertFalse(auc.containsKey(OfflinePipeline.alone(SsmtlScorer.Task.IRREGULARITY)), "NaN: not in the model");
        assertFalse(auc.containsKey(OfflinePipeline.alone(SsmtlScorer.Task.DISTILLATION)), "not a variant of this run");
    }

    @Test
    void withoutGroundTruthOrWithoutAnAnomalousObjectThereIsNoNumber() {
        var objects = List.of(object("01", 1, 100, 3f, 0.9f, 0.5f), object("01", 2, 100, 2f, 0.1f, 0.1f));
        assertTrue(ObjectRanking.auc(List.of(video("01", false)), List.of(result("01", objects)), List.of(),
                Set.of(OfflinePipeline.ALL)).isEmpty());
        var elsewhere = new RegionTrackDetection.Track(List.of(new Region("01", 2, 300, 100, 320, 140)));
        assertTrue(ObjectRanking.auc(List.of(video("01", true)), List.of(result("01", objects)), List.of(elsewhere),
                Set.of(OfflinePipeline.ALL)).isEmpty());
    }
}
