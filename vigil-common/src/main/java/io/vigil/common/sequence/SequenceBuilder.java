package io.vigil.common.sequence;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.image.BoxOutsideFrameException;
import io.vigil.vision.image.CropBox;
import io.vigil.vision.image.Crops;
import io.vigil.vision.image.ImageDecodeException;
import io.vigil.vision.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the object sequences of one frame's detections: for every detection in frame i the same box (no tracking,
 * as in the paper) is cropped from each frame of the window and resized to cropSize x cropSize RGB. Used by the
 * sequence-assembler service, the trainer and the offline evaluator, so all of them see the same crops.
 */
public final class SequenceBuilder {

    /** Decoded frames by index; may decode lazily and cache. */
    @FunctionalInterface
    public interface Frames {
        RgbImage get(long frameIndex) throws ImageDecodeException;
    }

    /** One detection's result: a sequence, or why it has none. */
    public sealed interface Outcome permits Built, Skipped, Failed {
        int objectIndex();
    }

    public record Built(int objectIndex, ObjectSequence sequence) implements Outcome {
    }

    /** Too small for a sequence by configuration: not an error. */
    public record Skipped(int objectIndex, String reason) implements Outcome {
    }

    public record Failed(int objectIndex, String reason, Throwable cause) implements Outcome {
    }

    private final SequenceSettings settings;

    public SequenceBuilder(SequenceSettings settings) {
        this.settings = settings;
    }

    public SequenceSettings settings() {
        return settings;
    }

    /** One outcome per detection of {@code detections}, in detection order. */
    public List<Outcome> build(FrameDetections detections, WindowPlan plan, Frames frames) {
        List<Outcome> out = new ArrayList<>();
        for (int k = 0; k < detections.getDetectionsCount(); k++) {
            out.add(buildOne(detections, k, plan, frames));
        }
        return out;
    }

    private Outcome buildOne(FrameDetections detections, int objectIndex, WindowPlan plan, Frames frames) {
        Detection detection = detections.getDetections(objectIndex);
        Box b = detection.getBox();
        String what = "object " + objectIndex + " of frame " + detections.getFrameIndex() + " of camera "
                + detections.getCameraId();
        int width = detections.getWidth();
        int height = detections.getHeight();
        CropBox box = new CropBox(b.getX1(), b.getY1(), b.getX2(), b.getY2()).enlarged(settings.enlargement());
        float clippedW = Math.min(width, box.x2()) - Math.max(0, box.x1());
        float clippedH = Math.min(height, box.y2()) - Math.max(0, box.y1());
        if (clippedW <= 0 || clippedH <= 0 || !Float.isFinite(clippedW) || !Float.isFinite(clippedH)) {
            return new Failed(objectIndex, what + ": box " + box + " lies outside the " + width + "x" + height + " frame", null);
        }
        if (clippedW < settings.minBoxSide() || clippedH < settings.minBoxSide()) {
            return new Skipped(objectIndex, what + ": box " + box + " smaller than " + settings.minBoxSide() + " px");
        }
        int s = settings.cropSize();
        byte[] pixels = new byte[plan.frameIndices().size() * s * s * 3];
        int offset = 0;
        try {
            for (long index : plan.frameIndices()) {
                RgbImage frame = frames.get(index);
                if (frame.width() != width || frame.height() != height) {
                    return new Failed(objectIndex, what + ": frame " + index + " is " + frame.width() + "x" + frame.height()
                            + " but the detections are for " + width + "x" + height + " (frame size changed mid-stream)", null);
                }
                RgbImage crop = Crops.cropResize(frame, box, s);
                System.arraycopy(crop.pixels(), 0, pixels, offset, crop.pixels().length);
                offset += crop.pixels().length;
            }
        } catch (ImageDecodeException e) {
            return new Failed(objectIndex, what + ": a frame of its window cannot be decoded: " + e.getMessage(), e);
        } catch (BoxOutsideFrameException e) {
            return new Failed(objectIndex, what + ": " + e.getMessage(), e);
        }
        return new Built(objectIndex, ObjectSequence.newBuilder()
                .setCameraId(detections.getCameraId())
                .setMiddleFrameIndex(detections.getFrameIndex())
                .setObjectIndex(objectIndex)
                .setDetection(detection)
                .setCropSize(s)
                .setSequenceLength(plan.frameIndices().size())
                .addAllFrameIndices(plan.frameIndices())
                .setPixels(ByteString.copyFrom(pixels))
                .setPadded(plan.padded())
                .setCaptureTimeMs(detections.getCaptureTimeMs())
                .setFrameWidth(width)
                .setFrameHeight(height)
                .build());
    }
}
