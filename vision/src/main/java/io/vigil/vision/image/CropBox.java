package io.vigil.vision.image;

/** A box in frame pixels (x1 < x2, y1 < y2), as detectors report it. */
public record CropBox(float x1, float y1, float x2, float y2) {

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    /** The same centre, each side multiplied by {@code factor} (1 = unchanged). */
    public CropBox enlarged(float factor) {
        float cx = (x1 + x2) / 2f;
        float cy = (y1 + y2) / 2f;
        float hw = width() * factor / 2f;
        float hh = height() * factor / 2f;
        return new CropBox(cx - hw, cy - hh, cx + hw, cy + hh);
    }

    @Override
    public String toString() {
        return String.format("[%.1f,%.1f,%.1f,%.1f]", x1, y1, x2, y2);
    }
}
