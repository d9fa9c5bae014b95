package io.vigil.common.sequence;

/**
 * How object sequences are cut.
 *
 * @param t           frames before and after the detection frame (sequence length 2t+1; paper: t = 3)
 * @param cropSize    side of each square crop (paper: 64)
 * @param enlargement each box side is multiplied by this before cropping (1 = the box as detected)
 * @param minBoxSide  detections with a shorter side (in pixels, after clipping) get no sequence
 */
public record SequenceSettings(int t, int cropSize, float enlargement, float minBoxSide) {

    public SequenceSettings {
        if (t < 0 || cropSize < 1 || enlargement <= 0 || minBoxSide < 0) {
            throw new IllegalArgumentException("invalid sequence settings: t=" + t + " crop=" + cropSize + " enlargement="
                    + enlargement + " minBoxSide=" + minBoxSide);
        }
    }

    public static SequenceSettings paper() {
        return new SequenceSettings(3, 64, 1f, 4f);
    }

    public int length() {
        return 2 * t + 1;
    }
}
