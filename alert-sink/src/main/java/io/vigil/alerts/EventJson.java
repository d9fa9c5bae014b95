package io.vigil.alerts;

import io.vigil.common.scoring.Cues;
import io.vigil.proto.CameraIds;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Review;
import io.vigil.vision.detect.CocoClasses;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An event as the REST API, the live stream and the webhook show it (the thumbnail by URL, not inline): with what made
 * it, the cue ({@code cause}), in words ({@code explanation}) and each cue's share of the peak object's score.
 */
public record EventJson(String id, String camera, String state, long startFrame, long endFrame, long peakFrame,
        long startTimeMs, long endTimeMs, long peakTimeMs, float peakScore, List<BoxJson> boxes, String thumbnailUrl,
        ReviewJson review, String cause, String explanation, Map<String, Float> cueShares) {

    /** An operator's latest review: ACKNOWLEDGED or RESOLVED, by whom, when. */
    public record ReviewJson(String action, String by, long timeMs, String note) {
        static ReviewJson of(Review r) {
            return new ReviewJson(r.getAction().name(), r.getBy(), r.getTimeMs(), r.getNote());
        }
    }

    public record BoxJson(float x1, float y1, float x2, float y2, int classId, String className, float confidence) {
        static BoxJson of(Detection d) {
            return new BoxJson(d.getBox().getX1(), d.getBox().getY1(), d.getBox().getX2(), d.getBox().getY2(), d.getClassId(),
                    CocoClasses.name(d.getClassId()), d.getConfidence());
        }
    }

    public static EventJson of(AnomalyEvent e) {
        return new EventJson(e.getEventId(), e.getCameraId(), e.getState().name(), e.getStartFrameIndex(),
                e.getEndFrameIndex(), e.getPeakFrameIndex(), e.getStartTimeMs(), e.getEndTimeMs(), e.getPeakTimeMs(),
                e.getPeakScore(), e.getBoxesList().stream().map(BoxJson::of).toList(),
                e.getThumbnailJpeg().isEmpty() ? null : "/events/" + CameraIds.percentEncoded(e.getEventId()) + "/thumbnail.jpg",
                e.hasReview() ? ReviewJson.of(e.getReview()) : null, e.getCause(),
                new Cues.Explanation(e.getCause(), e.getCueSharesMap()).words(), new TreeMap<>(e.getCueSharesMap()));
    }
}
