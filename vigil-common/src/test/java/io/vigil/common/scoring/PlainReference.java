package io.vigil.common.scoring;

/**
 * The Java around the model as first written, plainly: the definitions the faster code must match to the last bit
 * (the calibration tables hold these exact numbers), and what {@code vigil-bench java} times it against.
 */
public final class PlainReference {

    private PlainReference() {
    }

    /** {@link io.vigil.common.sequence.SequenceTensors#planar}: T x S x S x RGB bytes to [3, T, S, S] floats in [0, 1]. */
    public static void planar(byte[] pixels, int frames, int crop, float[] out, int offset) {
        int plane = crop * crop;
        for (int t = 0; t < frames; t++) {
            for (int p = 0; p < plane; p++) {
                int src = (t * plane + p) * 3;
                for (int c = 0; c < 3; c++) {
                    out[offset + (c * frames + t) * plane + p] = (pixels[src + c] & 0xFF) / 255f;
                }
            }
        }
    }

    /** {@link MotionSpeed#of}, with a new array per grey plane. */
    public static float motionSpeed(float[] planar, int offset, int frames, int crop) {
        int plane = crop * crop;
        float[][] grey = new float[frames][plane];
        for (int f = 0; f < frames; f++) {
            for (int p = 0; p < plane; p++) {
                grey[f][p] = 0.299f * planar[offset + f * plane + p] + 0.587f * planar[offset + (frames + f) * plane + p]
                        + 0.114f * planar[offset + (2 * frames + f) * plane + p];
            }
        }
        double sum = 0;
        for (int k = 1; k < frames - 1; k++) {
            for (int y = 1; y < crop - 1; y++) {
                for (int x = 1; x < crop - 1; x++) {
                    int p = y * crop + x;
                    float gx = (grey[k][p + 1] - grey[k][p - 1]) * 0.5f;
                    float gy = (grey[k][p + crop] - grey[k][p - crop]) * 0.5f;
                    float dt = (grey[k + 1][p] - grey[k - 1][p]) * 0.5f;
                    float gradient2 = gx * gx + gy * gy;
                    sum += Math.abs(dt) * Math.sqrt(gradient2) / (gradient2 + MotionSpeed.FLAT);
                }
            }
        }
        return (float) (sum / ((frames - 2) * (crop - 2) * (crop - 2)));
    }
}
