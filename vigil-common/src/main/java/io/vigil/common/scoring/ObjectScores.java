package io.vigil.common.scoring;

import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;

/** The {@link ObjectScore} message of a scored sequence: what the scorer publishes and the evaluator feeds its timeline. */
public final class ObjectScores {

    private ObjectScores() {
    }

    /** An object in an ignore zone: not run through the model, score 0, the zone named. */
    public static ObjectScore ignored(ObjectSequence s, String zone) {
        return base(s).setScore(0).setIgnoreZone(zone).build();
    }

    /** @param cues the cues of the score and their surprises ({@link SsmtlScorer#cueSurprises}) */
    public static ObjectScore of(ObjectSequence s, SsmtlScorer.Scores scores, java.util.Map<String, Float> cues,
            String modelVersion) {
        ObjectScore.Builder b = base(s).setScore(scores.score()).setModelVersion(modelVersion).putAllCueSurprises(cues);
        if (!Float.isNaN(scores.arrowOfTime())) {
            b.setArrowOfTime(scores.arrowOfTime());
        }
        if (!Float.isNaN(scores.irregularity())) {
            b.setMotionIrregularity(scores.irregularity());
        }
        if (!Float.isNaN(scores.reconstruction())) {
            b.setReconstruction(scores.reconstruction());
        }
        if (!Float.isNaN(scores.distillation())) {
            b.setDistillation(scores.distillation());
        }
        if (!Float.isNaN(scores.speed())) {
            b.setSpeed(scores.speed());
        }
        return b.build();
    }

    /** The task scores an {@link ObjectScore} carries (NaN where it has none), with its score. */
    public static SsmtlScorer.Scores tasks(ObjectScore o) {
        return new SsmtlScorer.Scores(o.hasArrowOfTime() ? o.getArrowOfTime() : Float.NaN,
                o.hasMotionIrregularity() ? o.getMotionIrregularity() : Float.NaN,
                o.hasReconstruction() ? o.getReconstruction() : Float.NaN,
                o.hasDistillation() ? o.getDistillation() : Float.NaN, o.hasSpeed() ? o.getSpeed() : Float.NaN, o.getScore());
    }

    private static ObjectScore.Builder base(ObjectSequence s) {
        return ObjectScore.newBuilder()
                .setCameraId(s.getCameraId())
                .setMiddleFrameIndex(s.getMiddleFrameIndex())
                .setObjectIndex(s.getObjectIndex())
                .setDetection(s.getDetection())
                .setCaptureTimeMs(s.getCaptureTimeMs())
                .setFrameWidth(s.getFrameWidth())
                .setFrameHeight(s.getFrameHeight());
    }
}
