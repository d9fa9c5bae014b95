package io.vigil.evaluation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalMetricsTest {

    @Test
    void rocAucCountsTiesAsHalf() {
        assertEquals(1.0, RocAuc.auc(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, new boolean[] {false, false, true, true}), 1e-12);
        assertEquals(0.0, RocAuc.auc(new float[] {0.9f, 0.1f}, new boolean[] {false, true}), 1e-12);
        assertEquals(0.5, RocAuc.auc(new float[] {0.5f, 0.5f}, new boolean[] {false, true}), 1e-12);
        // normal 0.1, 0.6, 0.3; anomalous 0.4, 0.9: of the 6 pairs only (0.4, 0.6) is ordered wrong
        assertEquals(5.0 / 6, RocAuc.auc(new float[] {0.1f, 0.6f, 0.3f, 0.4f, 0.9f},
                new boolean[] {false, false, false, true, true}), 1e-12);
        IllegalArgumentException nan = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RocAuc.auc(new float[] {0.1f, Float.NaN, 0.9f}, new boolean[] {false, true, true}));
        assertEquals("AUC of scores with 1 NaN values of 3", nan.getMessage());
    }

    @Test
    void macroAucCountsSingleClassVideosThroughTheDummyFrames() {
        FrameAuc.Video allNormal = new FrameAuc.Video("a", new float[] {0.2f, 0.3f, 0.4f}, new boolean[3]);
        FrameAuc.Video perfect = new FrameAuc.Video("b", new float[] {0.1f, 0.9f}, new boolean[] {false, true});
        // all-normal video: normalised scores 0, 0.5, 1 plus dummy normal 0 and dummy anomalous 1.
        // positives {1}, negatives {0, 0.5, 1, 0}: 1 > three of them, tie with one -> 3.5 / 4
        assertEquals(0.875, FrameAuc.video(allNormal), 1e-12);
        assertEquals(1.0, FrameAuc.video(perfect), 1e-12);
        assertEquals((0.875 + 1.0) / 2, FrameAuc.macro(List.of(allNormal, perfect)), 1e-12);
        assertEquals(1.0, FrameAuc.micro(List.of(perfect)), 1e-12);
    }

    @Test
    void rbdcAndTbdcAreOneOnTheReferenceToyFixture() throws Exception {
        Path toy = SharedData.require("fixtures/rbdc-toy");
        List<RegionTrackDetection.Track> tracks = new ArrayList<>();
        List<RegionTrackDetection.Prediction> predictions = new ArrayList<>();
        long frames = 0;
        for (String video : new String[] {"01", "02"}) {
            Map<Integer, List<RegionTrackDetection.Region>> byTrack = new LinkedHashMap<>();
            long maxFrame = 0;
            for (String line : Files.readAllLines(toy.resolve("toy_tracks/" + video + ".txt"))) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split(",");
                long frame = (long) Double.parseDouble(f[1]);
                maxFrame = Math.max(maxFrame, frame);
                byTrack.computeIfAbsent((int) Double.parseDouble(f[0]), k -> new ArrayList<>()).add(new RegionTrackDetection.Region(
                        video, frame, Float.parseFloat(f[2]), Float.parseFloat(f[3]), Float.parseFloat(f[4]), Float.parseFloat(f[5])));
            }
            byTrack.values().forEach(rs -> tracks.add(new RegionTrackDetection.Track(rs)));
            for (String line : Files.readAllLines(toy.resolve("toy_anomalies/" + video + ".txt"))) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split(",");
                predictions.add(new RegionTrackDetection.Prediction(new RegionTrackDetection.Region(video,
                        (long) Double.parseDouble(f[0]), Float.parseFloat(f[1]), Float.parseFloat(f[2]), Float.parseFloat(f[3]),
                        Float.parseFloat(f[4])), Float.parseFloat(f[5])));
            }
            frames += maxFrame + 1;
        }
        RegionTrackDetection.Result r = RegionTrackDetection.compute(tracks, predictions, frames);
        assertEquals(1.0, r.rbdc(), 1e-12);
        assertEquals(1.0, r.tbdc(), 1e-12);
    }

    @Test
    void falsePositivesLowerRbdc() {
        RegionTrackDetection.Region gt = new RegionTrackDetection.Region("v", 0, 10, 10, 20, 20);
        List<RegionTrackDetection.Prediction> preds = new ArrayList<>();
        // 5 false positives in empty frames score above the one true positive: it is found at FPR 0.5.
        for (int i = 1; i <= 5; i++) {
            preds.add(new RegionTrackDetection.Prediction(new RegionTrackDetection.Region("v", i, 0, 0, 5, 5), 0.9f));
        }
        preds.add(new RegionTrackDetection.Prediction(gt, 0.5f));
        RegionTrackDetection.Result r = RegionTrackDetection.compute(List.of(new RegionTrackDetection.Track(List.of(gt))), preds, 10);
        assertEquals(0.5, r.rbdc(), 1e-12, "detection rate 0 up to FPR 0.5, then 1");
        assertEquals(0.5, r.tbdc(), 1e-12);
    }
}
