package io.vigil.vision.detect;

/**
 * One detected object in source-frame pixels.
 *
 * @param classId            COCO class 0..79, or -1 for class-agnostic detectors
 * @param classProbabilities the detector's 80 per-class scores for this box (empty when class-agnostic)
 */
public record DetectedBox(float x1, float y1, float x2, float y2, int classId, float confidence,
        float[] classProbabilities) {

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    public float area() {
        return Math.max(0, width()) * Math.max(0, height());
    }

    public float intersection(DetectedBox o) {
        float ix = Math.min(x2, o.x2) - Math.max(x1, o.x1);
        float iy = Math.min(y2, o.y2) - Math.max(y1, o.y1);
        return ix <= 0 || iy <= 0 ? 0 : ix * iy;
    }

    public float iou(DetectedBox o) {
        float inter = intersection(o);
        return inter == 0 ? 0 : inter / (area() + o.area() - inter);
    }

    public DetectedBox withBounds(float nx1, float ny1, float nx2, float ny2) {
        return new DetectedBox(nx1, ny1, nx2, ny2, classId, confidence, classProbabilities);
    }

    @Override
    public String toString() {
        return String.format("%d@%.2f[%.0f,%.0f,%.0f,%.0f]", classId, confidence, x1, y1, x2, y2);
    }
}
