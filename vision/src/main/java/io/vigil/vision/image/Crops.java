package io.vigil.vision.image;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Crops a box out of a frame and resizes it to a square (64x64 in the paper). The box is clipped to the frame;
 * area interpolation when shrinking (no aliasing), bilinear when enlarging. Thread-safe.
 */
public final class Crops {

    private Crops() {
    }

    /** Integer pixel rectangle of {@code box} clipped to a {@code width x height} frame. */
    public static int[] clippedRect(CropBox box, int width, int height) {
        if (!(box.x2() > box.x1()) || !(box.y2() > box.y1())) {
            throw new BoxOutsideFrameException("degenerate box " + box);
        }
        int x1 = Math.max(0, (int) Math.floor(box.x1()));
        int y1 = Math.max(0, (int) Math.floor(box.y1()));
        int x2 = Math.min(width, (int) Math.ceil(box.x2()));
        int y2 = Math.min(height, (int) Math.ceil(box.y2()));
        if (x2 <= x1 || y2 <= y1) {
            throw new BoxOutsideFrameException("box " + box + " lies outside the " + width + "x" + height + " frame");
        }
        return new int[] {x1, y1, x2 - x1, y2 - y1};
    }

    /** Crops {@code box} from {@code frame} and resizes it to {@code size x size} RGB. */
    public static RgbImage cropResize(RgbImage frame, CropBox box, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
        int[] r = clippedRect(box, frame.width(), frame.height());
        try (Mat whole = Mats.fromInterleaved(frame.width(), frame.height(), frame.pixels());
                Rect rect = new Rect(r[0], r[1], r[2], r[3]);
                Mat roi = new Mat(whole, rect);
                Mat out = new Mat();
                Size target = new Size(size, size)) {
            boolean shrinking = r[2] >= size && r[3] >= size;
            resize(roi, out, target, 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
            return new RgbImage(size, size, Mats.toInterleaved(out));
        }
    }

    /** The whole frame resized to {@code width x height} (area interpolation when shrinking). */
    public static RgbImage resized(RgbImage frame, int width, int height) {
        try (Mat whole = Mats.fromInterleaved(frame.width(), frame.height(), frame.pixels());
                Mat out = new Mat();
                Size target = new Size(width, height)) {
            boolean shrinking = width <= frame.width() && height <= frame.height();
            resize(whole, out, target, 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
            return new RgbImage(width, height, Mats.toInterleaved(out));
        }
    }
}
