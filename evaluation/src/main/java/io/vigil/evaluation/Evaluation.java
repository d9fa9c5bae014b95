package io.vigil.evaluation;

import io.vigil.evaluation.metrics.FrameAuc;
import io.vigil.evaluation.metrics.RegionTrackDetection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of one evaluation: frame AUC micro/macro per score variant, per-video AUC, RBDC/TBDC, object AUC per
 * score variant where there are pixel masks ({@link ObjectRanking}), and the micro AUC
 * of the published evaluation protocol (each video's frame scores min-max normalised first: needs the whole video,
 * so a stream cannot do it; offline-only, never the headline).
 */
public record Evaluation(Map<String, Double> microAuc, Map<String, Double> macroAuc, Map<String, Double> videoAuc,
        Double rbdc, Double tbdc, double publishedProtocolMicroAuc, int videos, long frames, long anomalousFrames,
        long objects, Map<String, Double> objectAuc) {

    /** @param tracks ground-truth tracks of all videos, empty when the data set has no pixel masks */
    public static Evaluation of(List<Datasets.LabelledVideo> videos, List<OfflinePipeline.VideoResult> results,
            List<RegionTrackDetection.Track> tracks) {
        Map<String, Double> micro = new LinkedHashMap<>();
        Map<String, Double> macro = new LinkedHashMap<>();
        for (String variant : results.get(0).frameScores().keySet()) {
            List<FrameAuc.Video> vs = new ArrayList<>();
            for (int i = 0; i < videos.size(); i++) {
                vs.add(new FrameAuc.Video(videos.get(i).id(), results.get(i).frameScores().get(variant), videos.get(i).labels()));
            }
            micro.put(variant, FrameAuc.micro(vs));
            macro.put(variant, FrameAuc.macro(vs));
        }
        Map<String, Double> perVideo = new LinkedHashMap<>();
        long frames = 0;
        long anomalous = 0;
        long objects = 0;
        List<RegionTrackDetection.Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < videos.size(); i++) {
            Datasets.LabelledVideo v = videos.get(i);
            perVideo.put(v.id(), FrameAuc.video(new FrameAuc.Video(v.id(), results.get(i).frameScores()
                    .get(OfflinePipeline.ALL), v.labels())));
            frames += v.labels().length;
            for (boolean a : v.labels()) {
                anomalous += a ? 1 : 0;
            }
            objects += results.get(i).sequences();
            predictions.addAll(results.get(i).regions());
        }
        Double rbdc = null;
        Double tbdc = null;
        if (!tracks.isEmpty()) {
            RegionTrackDetection.Result r = RegionTrackDetection.compute(tracks, predictions, frames);
            rbdc = r.rbdc();
            tbdc = r.tbdc();
        }
        List<FrameAuc.Video> minMax = new ArrayList<>();
        for (int i = 0; i < videos.size(); i++) {
            minMax.add(new FrameAuc.Video(videos.get(i).id(), minMax(results.get(i).frameScores().get(OfflinePipeline.ALL)),
                    videos.get(i).labels()));
        }
        return new Evaluation(micro, macro, perVideo, rbdc, tbdc, FrameAuc.micro(minMax), videos.size(), frames, anomalous,
                objects, ObjectRanking.auc(videos, results, tracks, micro.keySet()));
    }

    /** The scores mapped onto [0, 1] by the video's own minimum and maximum. */
    static float[] minMax(float[] scores) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            lo = Math.min(lo, s);
            hi = Math.max(hi, s);
        }
        float[] out = new float[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = hi > lo ? (scores[i] - lo) / (hi - lo) : 0f;
        }
        return out;
    }
}
