package io.vigil.proto;

import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;

/**
 * What every consumer checks of a message before it trusts it: a record is keyed by its camera (a valid
 * {@link CameraIds camera id}), sizes are within
 * limits (a frame that declares a billion pixels must not make a service allocate them), boxes are finite and
 * overlap their frame, probabilities are probabilities. A record that fails goes to the dead-letter topic with the
 * {@link InvalidMessageException}'s message; nothing else is held up.
 */
public final class MessageChecks {

    /** Longest camera id, in code points ({@link CameraIds}). */
    public static final int MAX_CAMERA_ID_LENGTH = CameraIds.MAX_LENGTH;
    /**
     * Largest frame index (2^53): a thousand frames a second for 285,000 years. Beyond it, index arithmetic (a window
     * i-t..i+t, a smoothing look-ahead) would overflow.
     */
    public static final long MAX_FRAME_INDEX = 1L << 53;
    /** Longest side of a frame in pixels. */
    public static final int MAX_FRAME_SIDE = 16_384;
    /** Most pixels of a frame (8K UHD); the image decoders enforce the same limit on what a JPEG declares. */
    public static final long MAX_FRAME_PIXELS = 7680L * 4320L;
    /** Most detections of one frame (detectors keep at most a few hundred after NMS). */
    public static final int MAX_DETECTIONS_PER_FRAME = 1_000;
    /** Most class probabilities of one detection (COCO has 80). */
    public static final int MAX_CLASSES = 1_000;
    /** Largest crop side and longest object sequence a scorer accepts (the paper: 64 px, 2t+1 = 7). */
    public static final int MAX_CROP_SIZE = 512;
    public static final int MAX_SEQUENCE_LENGTH = 64;
    /** Longest review note, in characters (the API takes no more). */
    public static final int MAX_NOTE_LENGTH = 500;

    /** A message that parsed but breaks the contract above. */
    public static final class InvalidMessageException extends IllegalArgumentException {
        public InvalidMessageException(String message) {
            super(message);
        }
    }

    private MessageChecks() {
    }

    public static void frame(String key, Frame f) {
        cameraAndIndex(key, f.getCameraId(), f.getFrameIndex());
        frameSize("frame", f.getWidth(), f.getHeight());
        if (f.getJpeg().isEmpty()) {
            throw invalid("frame " + f.getFrameIndex() + " of camera " + f.getCameraId() + " has no image");
        }
    }

    public static void detections(String key, FrameDetections d) {
        cameraAndIndex(key, d.getCameraId(), d.getFrameIndex());
        frameSize("detections", d.getWidth(), d.getHeight());
        if (d.getDetectionsCount() > MAX_DETECTIONS_PER_FRAME) {
            throw invalid(d.getDetectionsCount() + " detections in frame " + d.getFrameIndex() + ", more than "
                    + MAX_DETECTIONS_PER_FRAME);
        }
        for (int i = 0; i < d.getDetectionsCount(); i++) {
            detection("detection " + i + " of frame " + d.getFrameIndex(), d.getDetections(i), d.getWidth(), d.getHeight());
        }
    }

    public static void sequence(String key, ObjectSequence s) {
        cameraAndIndex(key, s.getCameraId(), s.getMiddleFrameIndex());
        frameSize("sequence", s.getFrameWidth(), s.getFrameHeight());
        String what = "sequence of object " + s.getObjectIndex() + " in frame " + s.getMiddleFrameIndex();
        objectIndex(what, s.getObjectIndex());
        if (s.getCropSize() < 1 || s.getCropSize() > MAX_CROP_SIZE || s.getSequenceLength() < 1
                || s.getSequenceLength() > MAX_SEQUENCE_LENGTH) {
            throw invalid(what + ": " + s.getSequenceLength() + " crops of " + s.getCropSize() + " px (limits "
                    + MAX_SEQUENCE_LENGTH + " crops, " + MAX_CROP_SIZE + " px)");
        }
        if (s.getFrameIndicesCount() != s.getSequenceLength()) {
            throw invalid(what + ": " + s.getFrameIndicesCount() + " frame indices for " + s.getSequenceLength() + " crops");
        }
        long expected = (long) s.getSequenceLength() * s.getCropSize() * s.getCropSize() * 3;
        if (s.getPixels().size() != expected) {
            throw invalid(what + ": " + s.getPixels().size() + " pixel bytes, expected " + expected);
        }
        detection(what, s.getDetection(), s.getFrameWidth(), s.getFrameHeight());
    }

    public static void objectScore(String key, ObjectScore s) {
        cameraAndIndex(key, s.getCameraId(), s.getMiddleFrameIndex());
        frameSize("object score", s.getFrameWidth(), s.getFrameHeight());
        String what = "score of object " + s.getObjectIndex() + " in frame " + s.getMiddleFrameIndex();
        objectIndex(what, s.getObjectIndex());
        if (!Float.isFinite(s.getScore())) {
            throw invalid(what + " is " + s.getScore());
        }
        detection(what, s.getDetection(), s.getFrameWidth(), s.getFrameHeight());
        cues(what + ": cue surprises", s.getCueSurprisesMap(), Float.NEGATIVE_INFINITY);
    }

    private static final java.util.regex.Pattern CUE = java.util.regex.Pattern.compile("[a-z_]{1,32}");
    private static final int MAX_CUES = 8;

    /** A map of cue names (task names: lower-case letters and '_') to finite values of at least {@code min}. */
    private static void cues(String what, java.util.Map<String, Float> cues, float min) {
        if (cues.size() > MAX_CUES) {
            throw invalid(what + ": " + cues.size() + " cues");
        }
        cues.forEach((name, value) -> {
            if (!CUE.matcher(name).matches() || !Float.isFinite(value) || value < min) {
                throw invalid(what + ": cue '" + CameraIds.percentEncoded(name) + "' = " + value);
            }
        });
    }

    public static void frameScore(String key, FrameScore s) {
        cameraAndIndex(key, s.getCameraId(), s.getFrameIndex());
        String what = "frame score of frame " + s.getFrameIndex();
        if (!Float.isFinite(s.getRawScore()) || !Float.isFinite(s.getSmoothedScore())) {
            throw invalid(what + " is not finite (" + s.getRawScore() + ", " + s.getSmoothedScore() + ")");
        }
        if (s.getObjectCount() < 0 || s.getObjectCount() > MAX_DETECTIONS_PER_FRAME) {
            throw invalid(what + ": " + s.getObjectCount() + " objects");
        }
    }

    /**
     * An announcement as the alert-sink writes it: a known state, the id {@code camera:startFrame}, a span in
     * order with its peak inside, a finite peak score, boxes within limits, and a review exactly on REVIEWED.
     */
    public static void anomalyEvent(String key, AnomalyEvent e) {
        cameraAndIndex(key, e.getCameraId(), e.getStartFrameIndex());
        String what = "event " + e.getEventId();
        if (!e.getEventId().equals(e.getCameraId() + ":" + e.getStartFrameIndex())) {
            throw invalid(what + ": id is not camera:startFrame (" + e.getCameraId() + ":" + e.getStartFrameIndex() + ")");
        }
        if (e.getState() == AnomalyEvent.State.STATE_UNSPECIFIED || e.getState() == AnomalyEvent.State.UNRECOGNIZED) {
            throw invalid(what + ": state " + e.getStateValue() + " is not one of OPEN, UPDATE, CLOSED, REVIEWED");
        }
        if (e.getEndFrameIndex() > MAX_FRAME_INDEX || e.getEndFrameIndex() < e.getStartFrameIndex()
                || e.getPeakFrameIndex() < e.getStartFrameIndex()
                || e.getPeakFrameIndex() > e.getEndFrameIndex()) {
            throw invalid(what + ": frames " + e.getStartFrameIndex() + ".." + e.getEndFrameIndex() + " with peak "
                    + e.getPeakFrameIndex() + " are not a span with its peak inside");
        }
        if (!Float.isFinite(e.getPeakScore())) {
            throw invalid(what + ": peak score " + e.getPeakScore());
        }
        if (e.getBoxesCount() > MAX_DETECTIONS_PER_FRAME) {
            throw invalid(what + ": " + e.getBoxesCount() + " boxes");
        }
        cues(what + ": cue shares", e.getCueSharesMap(), 0f);
        if (!e.getCause().isEmpty() && !e.getCueSharesMap().containsKey(e.getCause())) {
            throw invalid(what + ": cause '" + CameraIds.percentEncoded(e.getCause()) + "' is not one of its cues");
        }
        boolean reviewed = e.getState() == AnomalyEvent.State.REVIEWED;
        if (reviewed != e.hasReview()) {
            throw invalid(what + ": " + (reviewed ? "REVIEWED without a review" : e.getState() + " with a review"));
        }
        if (reviewed) {
            var r = e.getReview();
            boolean knownAction = r.getAction() == io.vigil.proto.v1.Review.Action.ACKNOWLEDGED
                    || r.getAction() == io.vigil.proto.v1.Review.Action.RESOLVED;
            if (!knownAction || r.getBy().isBlank() || r.getBy().length() > MAX_CAMERA_ID_LENGTH || r.getTimeMs() <= 0
                    || r.getNote().length() > MAX_NOTE_LENGTH) {
                throw invalid(what + ": review is not an action by a named operator at a time, with a note of at most "
                        + MAX_NOTE_LENGTH + " characters");
            }
        }
    }

    private static void cameraAndIndex(String key, String camera, long index) {
        String problem = CameraIds.problem(camera);
        if (problem != null) {
            throw invalid(problem);
        }
        if (!camera.equals(key)) {
            // Records are partitioned by camera: one under another key would split the camera's state.
            throw invalid("record key " + (key == null ? "null" : "'" + key + "'") + " is not the camera id '" + camera + "'");
        }
        if (index < 0) {
            throw invalid("negative frame index " + index + " of camera " + camera);
        }
        if (index > MAX_FRAME_INDEX) {
            throw invalid("frame index " + index + " of camera " + camera + " is beyond " + MAX_FRAME_INDEX);
        }
    }

    private static void objectIndex(String what, int index) {
        // An object is the index-th detection of its frame.
        if (index < 0 || index >= MAX_DETECTIONS_PER_FRAME) {
            throw invalid(what + ": " + (index < 0 ? "negative object index" : "object index " + index) + " outside 0.."
                    + (MAX_DETECTIONS_PER_FRAME - 1));
        }
    }

    private static void frameSize(String what, int width, int height) {
        if (width < 1 || height < 1 || width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE
                || (long) width * height > MAX_FRAME_PIXELS) {
            throw invalid(what + " of a " + width + "x" + height + " frame (limits: sides 1.." + MAX_FRAME_SIDE + ", "
                    + MAX_FRAME_PIXELS + " pixels)");
        }
    }

    private static void detection(String what, Detection d, int width, int height) {
        var b = d.getBox();
        if (!(Float.isFinite(b.getX1()) && Float.isFinite(b.getY1()) && Float.isFinite(b.getX2()) && Float.isFinite(b.getY2()))
                || b.getX1() >= b.getX2() || b.getY1() >= b.getY2()) {
            throw invalid(what + ": box (" + b.getX1() + ", " + b.getY1() + ", " + b.getX2() + ", " + b.getY2()
                    + ") is not a box");
        }
        if (b.getX2() <= 0 || b.getY2() <= 0 || b.getX1() >= width || b.getY1() >= height) {
            throw invalid(what + ": box (" + b.getX1() + ", " + b.getY1() + ", " + b.getX2() + ", " + b.getY2()
                    + ") is outside the " + width + "x" + height + " frame");
        }
        if (!probability(d.getConfidence())) {
            throw invalid(what + ": confidence " + d.getConfidence());
        }
        int classes = d.getClassProbabilitiesCount();
        // Class -1: a class-agnostic detector (motion) that sends no probabilities.
        boolean classOk = classes == 0 ? d.getClassId() >= -1 : d.getClassId() >= 0 && d.getClassId() < classes;
        if (classes > MAX_CLASSES || !classOk) {
            throw invalid(what + ": class " + d.getClassId() + " of " + classes + " class probabilities");
        }
        for (int c = 0; c < classes; c++) {
            if (!probability(d.getClassProbabilities(c))) {
                throw invalid(what + ": class probability " + c + " is " + d.getClassProbabilities(c));
            }
        }
    }

    private static boolean probability(float p) {
        return p >= 0f && p <= 1f; // false for NaN
    }

    private static InvalidMessageException invalid(String message) {
        return new InvalidMessageException(message);
    }
}
