package io.vigil.common.sequence;

/**
 * The network layout of object sequences: pixels stored as T x S x S x 3 bytes (time, row, column, RGB) become
 * planar floats [3, T, S, S] in [0, 1], the input of the SSMTL model for training and scoring alike.
 */
public final class SequenceTensors {

    private SequenceTensors() {
    }

    /** Each byte value in [0, 1], exactly as {@code value / 255f}: a table read instead of a division per byte. */
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }

    /**
     * Writes one sequence into {@code out} at {@code offset}. Channel by channel, so that every write goes to the next
     * float of one plane (three interleaved destinations per pixel made this the scorer's hottest Java code).
     */
    public static void planar(byte[] pixels, int frames, int crop, float[] out, int offset) {
        int plane = crop * crop;
        if (pixels.length != frames * plane * 3) {
            throw new IllegalArgumentException("expected " + frames * plane * 3 + " bytes for " + frames + " crops of "
                    + crop + "x" + crop + " RGB, got " + pixels.length);
        }
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < frames; t++) {
                int dst = offset + (c * frames + t) * plane;
                int src = t * plane * 3 + c;
                for (int p = 0; p < plane; p++) {
                    out[dst + p] = UNIT[pixels[src + 3 * p] & 0xFF];
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
