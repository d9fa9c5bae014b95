package io.vigil.evaluation;

import io.vigil.common.scoring.ObjectScores;
import io.vigil.evaluation.metrics.RegionTrackDetection;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Evaluates what a running deployment produced: the frame scores the alert-sink committed to vigil.frame-scores
 * and the object scores of vigil.object-scores (the regions for RBDC/TBDC), for cameras named
 * {@code <prefix><video id>}. The per-task ablation needs the model and is only computed offline.
 */
final class BrokerScores {

    private BrokerScores() {
    }

    /** @param clientConfig bootstrap servers and, for a secured broker, its TLS and SASL settings */
    static List<OfflinePipeline.VideoResult> read(Map<String, Object> clientConfig, String cameraPrefix,
            List<Datasets.LabelledVideo> videos) {
        Map<String, Datasets.LabelledVideo> byCamera = new HashMap<>();
        Map<String, float[]> smoothed = new HashMap<>();
        Map<String, float[]> raw = new HashMap<>();
        Map<String, int[]> objects = new HashMap<>();
        Map<String, List<OfflinePipeline.ScoredObject>> regions = new HashMap<>();
        for (Datasets.LabelledVideo v : videos) {
            String camera = cameraPrefix + v.id();
            byCamera.put(camera, v);
            smoothed.put(camera, new float[v.labels().length]);
            raw.put(camera, new float[v.labels().length]);
            objects.put(camera, new int[v.labels().length]);
            regions.put(camera, new ArrayList<>());
        }
        Map<String, Integer> frames = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.readAll(clientConfig, Topics.FRAME_SCORES, Duration.ofMinutes(5))) {
            if (byCamera.containsKey(r.key())) {
                FrameScore f = VigilSerdes.FRAME_SCORE.parse(r);
                if (f.getFrameIndex() < smoothed.get(r.key()).length) {
                    smoothed.get(r.key())[(int) f.getFrameIndex()] = f.getSmoothedScore();
                    raw.get(r.key())[(int) f.getFrameIndex()] = f.getRawScore();
                    objects.get(r.key())[(int) f.getFrameIndex()] = f.getObjectCount();
                    frames.merge(r.key(), 1, Integer::sum);
                }
            }
        }
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.readAll(clientConfig, Topics.OBJECT_SCORES, Duration.ofMinutes(5))) {
            if (byCamera.containsKey(r.key())) {
                ObjectScore s = VigilSerdes.OBJECT_SCORE.parse(r);
                var b = s.getDetection().getBox();
                regions.get(r.key()).add(new OfflinePipeline.ScoredObject(new RegionTrackDetection.Prediction(
                        new RegionTrackDetection.Region(byCamera.get(r.key()).id(), s.getMiddleFrameIndex(), b.getX1(), b.getY1(),
                                b.getX2() - 1, b.getY2() - 1), s.getScore()), ObjectScores.tasks(s)));
            }
        }
        List<OfflinePipeline.VideoResult> out = new ArrayList<>();
        for (Datasets.LabelledVideo v : videos) {
            String camera = cameraPrefix + v.id();
            int seen = frames.getOrDefault(camera, 0);
            if (seen < v.labels().length) {
                throw new IllegalStateException("camera " + camera + ": " + seen + " frame scores on " + Topics.FRAME_SCORES
                        + " for " + v.labels().length + " frames of video " + v.id());
            }
            out.add(new OfflinePipeline.VideoResult(v.id(), Map.of(OfflinePipeline.ALL, smoothed.get(camera)),
                    Map.of(OfflinePipeline.ALL, raw.get(camera)), objects.get(camera), regions.get(camera), List.of(),
                    regions.get(camera).size(), regions.get(camera).size(), 0));
        }
        return out;
    }

}
