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

    // The defaults, as text for configuration annotations; every tool and service takes them from here.
    /** The paper's t = 3: sequences of 7 crops. */
    public static final String DEFAULT_T = "3";
    /** The paper's 64 px crops. */
    public static final String DEFAULT_CROP_SIZE = "64";
    /** Boxes as detected. */
    public static final String DEFAULT_ENLARGEMENT = "1.0";
    /** Boxes with a shorter side (pixels) get no sequence. */
    public static final String DEFAULT_MIN_BOX_SIDE = "4";

    public SequenceSettings {
        if (t < 0 || cropSize < 1 || enlargement <= 0 || minBoxSide < 0) {
            throw new IllegalArgumentException("invalid sequence settings: t=" + t + " crop=" + cropSize + " enlargement="
                    + enlargement + " minBoxSide=" + minBoxSide);
        }
    }

    /** The defaults above. */
    public static SequenceSettings paper() {
        return new SequenceSettings(Integer.parseInt(DEFAULT_T), Integer.parseInt(DEFAULT_CROP_SIZE),
                Float.parseFloat(DEFAULT_ENLARGEMENT), Float.parseFloat(DEFAULT_MIN_BOX_SIDE));
    }

    public SequenceSettings withT(int newT) {
        return new SequenceSettings(newT, cropSize, enlargement, minBoxSide);
    }

    public SequenceSettings withCropSize(int newCropSize) {
        return new SequenceSettings(t, newCropSize, enlargement, minBoxSide);
    }

    public int length() {
        return 2 * t + 1;
    }
}
