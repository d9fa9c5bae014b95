package io.vigil.vision.image;

import java.util.List;

/** Event thumbnails: a frame with boxes drawn, scaled down to a maximum width, as JPEG. */
public final class Thumbnails {

    /** A box in frame pixels; {@code marked}: the one the event is about (red), else amber. */
    public record Outline(float x1, float y1, float x2, float y2, boolean marked) {
        public Outline(float x1, float y1, float x2, float y2) {
            this(x1, y1, x2, y2, true);
        }
    }

    private static final byte[] RED = {(byte) 255, 32, 32};
    private static final byte[] AMBER = {(byte) 255, (byte) 191, 0};

    private final ImageCodec codec;
    private final int maxWidth;
    private final int quality;

    public Thumbnails(ImageCodec codec, int maxWidth, int quality) {
        if (maxWidth < 16) {
            throw new IllegalArgumentException("thumbnail width must be >= 16, got " + maxWidth);
        }
        this.codec = codec;
        this.maxWidth = maxWidth;
        this.quality = quality;
    }

    /**
     * Decodes the frame, draws the outlines (clipped to the frame; the marked ones last, so they stay on top), scales
     * to at most maxWidth, encodes.
     */
    public byte[] render(byte[] frameJpeg, List<Outline> outlines) {
        RgbImage frame = codec.decode(frameJpeg);
        byte[] px = frame.pixels().clone();
        // About 2 px in the thumbnail, whatever the frame size.
        int thickness = Math.max(2, Math.round(2f * frame.width() / Math.min(frame.width(), maxWidth)));
        List<Outline> ordered = new java.util.ArrayList<>(outlines);
        ordered.sort((a, b) -> Boolean.compare(a.marked(), b.marked()));
        for (Outline o : ordered) {
            byte[] colour = o.marked() ? RED : AMBER;
            int x1 = clamp(Math.round(o.x1()), frame.width());
            int y1 = clamp(Math.round(o.y1()), frame.height());
            int x2 = clamp(Math.round(o.x2()) - 1, frame.width());
            int y2 = clamp(Math.round(o.y2()) - 1, frame.height());
            for (int k = 0; k < thickness; k++) {
                for (int x = x1; x <= x2; x++) {
                    paint(px, frame.width(), x, clamp(y1 + k, frame.height()), colour);
                    paint(px, frame.width(), x, clamp(y2 - k, frame.height()), colour);
                }
                for (int y = y1; y <= y2; y++) {
                    paint(px, frame.width(), clamp(x1 + k, frame.width()), y, colour);
                    paint(px, frame.width(), clamp(x2 - k, frame.width()), y, colour);
                }
            }
        }
        RgbImage drawn = new RgbImage(frame.width(), frame.height(), px);
        if (frame.width() > maxWidth) {
            int height = Math.max(1, Math.round(frame.height() * (float) maxWidth / frame.width()));
            drawn = Crops.resized(drawn, maxWidth, height);
        }
        return codec.encodeJpeg(drawn, quality);
    }

    private static void paint(byte[] px, int width, int x, int y, byte[] colour) {
        System.arraycopy(colour, 0, px, (y * width + x) * 3, 3);
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size - 1, v));
    }
}
