package io.vigil.vision.image;

/**
 * An 8-bit RGB image, pixels interleaved row-major ({@code (y * width + x) * 3 + channel}).
 * The array is owned by the image; callers do not modify it.
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes for " + width + "x" + height
                    + " RGB, got " + pixels.length);
        }
    }

    /** Channel value 0..255 at (x, y); channel 0 = R, 1 = G, 2 = B. */
    public int value(int x, int y, int channel) {
        return pixels[(y * width + x) * 3 + channel] & 0xFF;
    }
}
