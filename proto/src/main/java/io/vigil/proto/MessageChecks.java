package io.vigil.proto;

import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;

/**
 * What every consumer checks of a message before it trusts it: a record is keyed by its camera, sizes are within
 * limits (a frame that declares a billion pixels must not make a service allocate them), boxes are finite and
 * overlap their frame, probabilities are probabilities. A record that fails goes to the dead-letter topic with the
 * {@link InvalidMessageException}'s message; nothing else is held up.
 */
public final class MessageChecks {

    /** Longest camera id: ids are Kafka keys, metric tags, file names and URL path segments. */
    public static final int MAX_CAMERA_ID_LENGTH = 200;
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
        if (s.getObjectIndex() < 0) {
            throw invalid(what + ": negative object index");
        }
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
        if (s.getObjectIndex() < 0) {
            throw invalid(what + ": negative object index");
        }
        if (!Float.isFinite(s.getScore())) {
            throw invalid(what + " is " + s.getScore());
        }
        detection(what, s.getDetection(), s.getFrameWidth(), s.getFrameHeight());
    }

    /** A camera id the chain accepts: not blank, at most {@link #MAX_CAMERA_ID_LENGTH} characters, no control characters. */
    public static boolean isCameraId(String camera) {
        return !camera.isBlank() && camera.length() <= MAX_CAMERA_ID_LENGTH && camera.chars().noneMatch(Character::isISOControl);
    }

    private static void cameraAndIndex(String key, String camera, long index) {
        if (camera.isBlank()) {
            throw invalid("message without camera id");
        }
        if (!isCameraId(camera)) {
            throw invalid("camera id is longer than " + MAX_CAMERA_ID_LENGTH + " characters or has control characters");
        }
        if (!camera.equals(key)) {
            // Records are partitioned by camera: one under another key would split the camera's state.
            throw invalid("record key " + (key == null ? "null" : "'" + key + "'") + " is not the camera id '" + camera + "'");
        }
        if (index < 0) {
            throw invalid("negative frame index " + index + " of camera " + camera);
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
