package io.vigil.vision.image;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Resizing a frame into a network input while keeping its aspect ratio ("letterbox"), and mapping boxes back. The
 * frame is scaled to fit a square of {@code size}; the input is that square ({@link #of}) or the smallest rectangle
 * of whole strides that holds the scaled frame ({@link #fitted}): on a 3:2 camera a third fewer pixels to run.
 * {@code TOP_LEFT} places the image in the corner (YOLOX), {@code CENTER} centres it (YOLOv3, YOLOv5/8).
 *
 * @param scale input pixels per source pixel
 * @param padX  left padding in input pixels
 * @param padY  top padding in input pixels
 */
public record Letterbox(int sourceWidth, int sourceHeight, int inputWidth, int inputHeight, float scale, int padX, int padY,
        int resizedWidth, int resizedHeight) {

    public enum Placement {
        TOP_LEFT, CENTER
    }

    /** Into the square of {@code size}. */
    public static Letterbox of(int sourceWidth, int sourceHeight, int size, Placement placement) {
        float scale = Math.min(size / (float) sourceWidth, size / (float) sourceHeight);
        int w = Math.min(size, Math.round(sourceWidth * scale));
        int h = Math.min(size, Math.round(sourceHeight * scale));
        return new Letterbox(sourceWidth, sourceHeight, size, size, scale, 0, 0, w, h).placed(placement);
    }

    /** Scaled as into the square of {@code size}, in the smallest input whose sides are multiples of {@code stride}. */
    public static Letterbox fitted(int sourceWidth, int sourceHeight, int size, int stride, Placement placement) {
        Letterbox square = of(sourceWidth, sourceHeight, size, Placement.TOP_LEFT);
        return new Letterbox(sourceWidth, sourceHeight, roundUp(square.resizedWidth, stride),
                roundUp(square.resizedHeight, stride), square.scale, 0, 0, square.resizedWidth, square.resizedHeight)
                .placed(placement);
    }

    private Letterbox placed(Placement placement) {
        return placement == Placement.CENTER
                ? new Letterbox(sourceWidth, sourceHeight, inputWidth, inputHeight, scale, (inputWidth - resizedWidth) / 2,
                        (inputHeight - resizedHeight) / 2, resizedWidth, resizedHeight)
                : this;
    }

    private static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    public float toSourceX(float inputX) {
        return (inputX - padX) / scale;
    }

    public float toSourceY(float inputY) {
        return (inputY - padY) / scale;
    }

    /**
     * Writes the letterboxed image as planar CHW floats into {@code dst} at {@code offset}: channel order RGB or
     * BGR, each value {@code pixel / divisor}, padding {@code padValue / divisor}.
     */
    public void writeChw(RgbImage image, boolean bgr, float divisor, int padValue, float[] dst, int offset) {
        if (image.width() != sourceWidth || image.height() != sourceHeight) {
            throw new IllegalArgumentException("letterbox made for " + sourceWidth + "x" + sourceHeight + ", got "
                    + image.width() + "x" + image.height());
        }
        byte[] resized;
        try (Mat src = Mats.fromInterleaved(image.width(), image.height(), image.pixels());
                Mat out = new Mat();
                Size target = new Size(resizedWidth, resizedHeight)) {
            resize(src, out, target, 0, 0, scale < 1 ? INTER_AREA : INTER_LINEAR);
            resized = Mats.toInterleaved(out);
        }
        int plane = inputWidth * inputHeight;
        float pad = padValue / divisor;
        java.util.Arrays.fill(dst, offset, offset + 3 * plane, pad);
        float inv = 1f / divisor;
        for (int y = 0; y < resizedHeight; y++) {
            int row = (y + padY) * inputWidth + padX;
            int srcRow = y * resizedWidth * 3;
            for (int x = 0; x < resizedWidth; x++) {
                int s = srcRow + x * 3;
                int d = offset + row + x;
                float r = (resized[s] & 0xFF) * inv;
                float g = (resized[s + 1] & 0xFF) * inv;
                float b = (resized[s + 2] & 0xFF) * inv;
                dst[d] = bgr ? b : r;
                dst[d + plane] = g;
                dst[d + 2 * plane] = bgr ? r : b;
            }
        }
    }
}
