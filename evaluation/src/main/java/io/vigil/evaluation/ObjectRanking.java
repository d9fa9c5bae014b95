package io.vigil.evaluation;

import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.evaluation.metrics.RegionTrackDetection;
import io.vigil.evaluation.metrics.RegionTrackDetection.Region;
import io.vigil.evaluation.metrics.RocAuc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * How each score ranks the labelled videos' objects, beside how it ranks their frames. An object is anomalous when its
 * box overlaps a ground-truth region of its frame (a pixel mask's component) by RBDC's IoU; every other object of those
 * videos is normal. A score that ranks objects well and frames badly loses at the frame: a frame's score is its
 * highest object's, so normal objects that reach as high as anomalous ones decide it.
 */
final class ObjectRanking {

    private ObjectRanking() {
    }

    /**
     * Per score variant ({@link OfflinePipeline#ALL}, the model's combined score, and each task alone), the object
     * AUC over the videos with pixel masks; empty where none has them or their objects are all of one kind.
     */
    static Map<String, Double> auc(List<Datasets.LabelledVideo> videos, List<OfflinePipeline.VideoResult> results,
            List<RegionTrackDetection.Track> tracks, Set<String> variants) {
        Map<String, Map<Long, List<Region>>> truth = new HashMap<>();
        for (RegionTrackDetection.Track t : tracks) {
            for (Region r : t.regions()) {
                truth.computeIfAbsent(r.video(), v -> new HashMap<>()).computeIfAbsent(r.frame(), f -> new ArrayList<>()).add(r);
            }
        }
        List<OfflinePipeline.ScoredObject> objects = new ArrayList<>();
        List<Boolean> anomalous = new ArrayList<>();
        for (int i = 0; i < videos.size(); i++) {
            if (videos.get(i).masks().isEmpty()) {
                continue; // no ground truth: its objects are neither
            }
            Map<Long, List<Region>> frames = truth.getOrDefault(videos.get(i).id(), Map.of());
            for (OfflinePipeline.ScoredObject o : results.get(i).objects()) {
                Region box = o.prediction().region();
                objects.add(o);
                anomalous.add(frames.getOrDefault(box.frame(), List.of()).stream()
                        .anyMatch(gt -> gt.iou(box) >= RegionTrackDetection.IOU));
            }
        }
        boolean[] labels = new boolean[anomalous.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = anomalous.get(i);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        if (!anomalous.contains(true) || !anomalous.contains(false)) {
            return out;
        }
        put(out, OfflinePipeline.ALL, objects, labels, o -> o.prediction().score());
        for (SsmtlScorer.Task t : SsmtlScorer.Task.values()) {
            if (variants.contains(OfflinePipeline.alone(t))) {
                put(out, OfflinePipeline.alone(t), objects, labels, o -> o.tasks().raw(t)); // calibration keeps the order
            }
        }
        return out;
    }

    private static void put(Map<String, Double> out, String variant, List<OfflinePipeline.ScoredObject> objects,
            boolean[] labels, ToDoubleFunction<OfflinePipeline.ScoredObject> score) {
        float[] s = new float[objects.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) score.applyAsDouble(objects.get(i));
            if (Float.isNaN(s[i])) {
                return; // the task is not in this model
            }
        }
        out.put(variant, RocAuc.auc(s, labels));
    }
}
