package io.vigil.common.sequence;

/**
 * The network layout of object sequences: pixels stored as T x S x S x 3 bytes (time, row, column, RGB) become
 * planar floats [3, T, S, S] in [0, 1], the input of the SSMTL model for training and scoring alike.
 */
public final class SequenceTensors {

    private SequenceTensors() {
    }

    /** Writes one sequence into {@code out} at {@code offset}. */
    public static void planar(byte[] pixels, int frames, int crop, float[] out, int offset) {
        int plane = crop * crop;
        if (pixels.length != frames * plane * 3) {
            throw new IllegalArgumentException("expected " + frames * plane * 3 + " bytes for " + frames + " crops of "
                    + crop + "x" + crop + " RGB, got " + pixels.length);
        }
        for (int t = 0; t < frames; t++) {
            for (int p = 0; p < plane; p++) {
                int src = (t * plane + p) * 3;
                for (int c = 0; c < 3; c++) {
                    out[offset + (c * frames + t) * plane + p] = (pixels[src + c] & 0xFF) / 255f;
                }
            }
        }
    }

    public static float[] planar(byte[] pixels, int frames, int crop) {
        float[] out = new float[3 * frames * crop * crop];
        planar(pixels, frames, crop, out, 0);
        return out;
    }
}
