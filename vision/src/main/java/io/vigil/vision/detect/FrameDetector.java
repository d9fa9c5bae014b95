package io.vigil.vision.detect;

import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.ImageDecodeException;
import io.vigil.vision.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@link Frame} messages into {@link FrameDetections}: decodes the JPEGs, runs the detector on the whole
 * batch, keeps what the filter allows. A frame that cannot be decoded, or that the detector fails on, becomes a
 * rejection with the reason instead; the rest of the batch is unaffected.
 *
 * <p>With a detector of moving things (a {@link MotionDetector}), its boxes are added where none of the kept boxes
 * covers them: on a fixed camera that recovers moving objects the model does not know or is not sure of (on Ped2:
 * skateboards, carts, a cyclist boxed as a person). They are class-agnostic (no class probabilities). Frames must
 * then come in order per camera, as the motion detector learns each camera's background.
 */
public final class FrameDetector implements AutoCloseable {

    /** The result for one frame: detections, or why there are none. */
    public sealed interface Outcome permits Detected, Rejected {
        Frame frame();
    }

    public record Detected(Frame frame, FrameDetections detections) implements Outcome {
    }

    public record Rejected(Frame frame, String reason, Throwable cause) implements Outcome {
    }

    /** A moving box is added when no kept box covers more than this fraction of its area. */
    public static final float MAX_COVERED = 0.3f;

    private final ObjectDetector detector;
    private final ObjectDetector moving;
    private final DetectionFilter filter;
    private final ImageCodec codec;

    public FrameDetector(ObjectDetector detector, DetectionFilter filter, ImageCodec codec) {
        this(detector, null, filter, codec);
    }

    /** @param moving detector of moving things whose uncovered boxes are added, or null */
    public FrameDetector(ObjectDetector detector, ObjectDetector moving, DetectionFilter filter, ImageCodec codec) {
        this.detector = detector;
        this.moving = moving;
        this.filter = filter;
        this.codec = codec;
    }

    public ObjectDetector detector() {
        return detector;
    }

    /** The detectors' names, as each FrameDetections carries them. */
    public String name() {
        return moving == null ? detector.name() : detector.name() + "+" + moving.name();
    }

    /** Closes the detectors. */
    @Override
    public void close() {
        detector.close();
        if (moving != null) {
            moving.close();
        }
    }

    /** One outcome per frame, in order. */
    public List<Outcome> process(List<Frame> frames) {
        Outcome[] outcomes = new Outcome[frames.size()];
        List<Integer> decodedAt = new ArrayList<>();
        List<DetectionInput> inputs = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            try {
                RgbImage image = codec.decode(f.getJpeg().toByteArray());
                inputs.add(new DetectionInput(f.getCameraId(), f.getFrameIndex(), image));
                decodedAt.add(i);
            } catch (ImageDecodeException e) {
                outcomes[i] = new Rejected(f, "frame " + f.getFrameIndex() + " of camera " + f.getCameraId()
                        + " cannot be decoded: " + e.getMessage(), e);
            }
        }
        List<List<DetectedBox>> boxes = detectEachIfBatchFails(inputs, frames, decodedAt, outcomes);
        List<List<DetectedBox>> movingBoxes = moving == null || inputs.isEmpty() ? null : moving.detect(inputs);
        for (int k = 0; k < decodedAt.size(); k++) {
            if (boxes.get(k) != null) {
                int i = decodedAt.get(k);
                RgbImage image = inputs.get(k).image();
                List<DetectedBox> kept = filter.apply(boxes.get(k), image.width(), image.height());
                if (movingBoxes != null) {
                    kept = addUncovered(kept, filter.apply(movingBoxes.get(k), image.width(), image.height()));
                }
                outcomes[i] = new Detected(frames.get(i), toMessage(frames.get(i), image, kept));
            }
        }
        return List.of(outcomes);
    }

    /** {@code kept} and each moving box that no kept box covers more than {@link #MAX_COVERED} of. */
    static List<DetectedBox> addUncovered(List<DetectedBox> kept, List<DetectedBox> moving) {
        List<DetectedBox> out = new ArrayList<>(kept);
        for (DetectedBox m : moving) {
            float covered = 0;
            for (DetectedBox k : kept) {
                covered = Math.max(covered, m.intersection(k) / Math.max(m.area(), 1e-6f));
            }
            if (covered <= MAX_COVERED) {
                out.add(m);
            }
        }
        return out;
    }

    /** The batch in one call; if that fails, frame by frame, so one bad frame cannot sink the others. */
    private List<List<DetectedBox>> detectEachIfBatchFails(List<DetectionInput> inputs, List<Frame> frames,
            List<Integer> decodedAt, Outcome[] outcomes) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        try {
            return detector.detect(inputs);
        } catch (RuntimeException batchFailure) {
            List<List<DetectedBox>> out = new ArrayList<>();
            for (int k = 0; k < inputs.size(); k++) {
                try {
                    out.add(detector.detect(List.of(inputs.get(k))).get(0));
                } catch (RuntimeException e) {
                    int i = decodedAt.get(k);
                    outcomes[i] = new Rejected(frames.get(i), "detector " + detector.name() + " failed on frame "
                            + frames.get(i).getFrameIndex() + ": " + e.getMessage(), e);
                    out.add(null);
                }
            }
            return out;
        }
    }

    private FrameDetections toMessage(Frame f, RgbImage image, List<DetectedBox> boxes) {
        FrameDetections.Builder b = FrameDetections.newBuilder()
                .setCameraId(f.getCameraId())
                .setFrameIndex(f.getFrameIndex())
                .setCaptureTimeMs(f.getCaptureTimeMs())
                .setWidth(image.width())
                .setHeight(image.height())
                .setDetector(name());
        for (DetectedBox d : boxes) {
            b.addDetections(toDetection(d));
        }
        return b.build();
    }

    public static Detection toDetection(DetectedBox d) {
        Detection.Builder det = Detection.newBuilder()
                .setBox(Box.newBuilder().setX1(d.x1()).setY1(d.y1()).setX2(d.x2()).setY2(d.y2()))
                .setClassId(d.classId())
                .setConfidence(d.confidence());
        for (float p : d.classProbabilities()) {
            det.addClassProbabilities(p);
        }
        return det.build();
    }
}
