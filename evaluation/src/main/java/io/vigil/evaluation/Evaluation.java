package io.vigil.evaluation;

import io.vigil.common.eval.FrameAuc;
import io.vigil.common.eval.RegionTrackDetection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The numbers of one evaluation: frame AUC micro/macro per score variant, per-video AUC, RBDC/TBDC. */
public record Evaluation(Map<String, Double> microAuc, Map<String, Double> macroAuc, Map<String, Double> videoAuc,
        Double rbdc, Double tbdc, int videos, long frames, long anomalousFrames, long objects) {

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
        return new Evaluation(micro, macro, perVideo, rbdc, tbdc, videos.size(), frames, anomalous, objects);
    }
}
