package io.vigil.common.scoring;

import java.util.List;

/**
 * Frame-level score the paper's way: each object's score is painted into its box on a map of the frame
 * (overlaps keep the higher score), the map is optionally smoothed with a square mean filter, and the frame score
 * is the map's maximum. A frame without objects scores 0. An object without a score (NaN: none of the enabled tasks
 * applies to it, e.g. distillation alone on a class-agnostic box) adds nothing.
 *
 * <p>A maximum over more objects is higher by itself: among 20 normal pedestrians one in a hundred is as rare as
 * one in 5. {@link Aggregation#CROWD_ADJUSTED} (the default) scores the frame by how rare its maximum is among as
 * many normal objects, so a frame's score means the same on a crowded and an empty scene.
 */
public final class FrameScorer {

    /** How the object scores of a frame become its score. */
    public enum Aggregation {
        /** The maximum of the map, as the paper does. */
        MAXIMUM,
        /**
         * For object scores on the surprise scale (one in 10^s normal objects scores s or more): the surprise of the
         * maximum among the frame's n scored objects, −log10(1 − (1 − 10^−s)^n); for n = 1 the maximum itself.
         */
        CROWD_ADJUSTED;

        /** The default as configuration names it (a compile-time constant). */
        public static final String DEFAULT = "CROWD_ADJUSTED";
    }

    private final int meanFilterSize;
    private final Aggregation aggregation;

    /** @param meanFilterSize side of the spatial mean filter in pixels; 0 or 1 = none */
    public FrameScorer(int meanFilterSize, Aggregation aggregation) {
        if (meanFilterSize < 0) {
            throw new IllegalArgumentException("mean filter size must be >= 0, got " + meanFilterSize);
        }
        this.meanFilterSize = meanFilterSize;
        this.aggregation = java.util.Objects.requireNonNull(aggregation);
    }

    public float score(int width, int height, List<ScoredBox> objects) {
        float max = maximum(width, height, objects);
        if (aggregation == Aggregation.MAXIMUM || max <= 0f) {
            return max;
        }
        int scored = 0;
        for (ScoredBox b : objects) {
            if (!Float.isNaN(b.score()) && covers(b, width, height)) {
                scored++;
            }
        }
        return rarestAmong(max, scored);
    }

    /**
     * The surprise of the highest of {@code n} normal objects' surprises reaching {@code surprise}. StrictMath, so that
     * every processor gives the same frame score to the last bit (Math's intrinsics may differ by an ulp).
     */
    public static float rarestAmong(float surprise, int n) {
        if (n <= 1) {
            return surprise;
        }
        double p = StrictMath.pow(10, -surprise); // one normal object reaches it
        double anyOfN = -StrictMath.expm1(n * StrictMath.log1p(-p)); // at least one of n does
        return (float) -StrictMath.log10(anyOfN);
    }

    private float maximum(int width, int height, List<ScoredBox> objects) {
        if (objects.isEmpty()) {
            return 0f;
        }
        if (meanFilterSize <= 1) {
            // Without a filter the map's maximum is the highest score of a box that covers a pixel.
            float max = 0f;
            for (ScoredBox b : objects) {
                if (!Float.isNaN(b.score()) && covers(b, width, height)) {
                    max = Math.max(max, b.score());
                }
            }
            return max;
        }
        float[] map = new float[width * height];
        for (ScoredBox b : objects) {
            if (Float.isNaN(b.score())) {
                continue;
            }
            int x1 = clamp((int) Math.floor(b.x1()), width);
            int x2 = clamp((int) Math.ceil(b.x2()), width);
            int y1 = clamp((int) Math.floor(b.y1()), height);
            int y2 = clamp((int) Math.ceil(b.y2()), height);
            for (int y = y1; y < y2; y++) {
                for (int x = x1; x < x2; x++) {
                    int i = y * width + x;
                    map[i] = Math.max(map[i], b.score());
                }
            }
        }
        return maxOfMeanFiltered(map, width, height, meanFilterSize);
    }

    private static boolean covers(ScoredBox b, int width, int height) {
        return clamp((int) Math.ceil(b.x2()), width) > clamp((int) Math.floor(b.x1()), width)
                && clamp((int) Math.ceil(b.y2()), height) > clamp((int) Math.floor(b.y1()), height);
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size, v));
    }

    /** Maximum of the k x k mean (zero outside the frame) via an integral image. */
    private static float maxOfMeanFiltered(float[] map, int w, int h, int k) {
        double[] integral = new double[(w + 1) * (h + 1)];
        for (int y = 0; y < h; y++) {
            double row = 0;
            for (int x = 0; x < w; x++) {
                row += map[y * w + x];
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
            }
        }
        int before = (k - 1) / 2;
        int after = k / 2;
        double best = 0;
        for (int y = 0; y < h; y++) {
            int ya = Math.max(0, y - before);
            int yb = Math.min(h, y + after + 1);
            for (int x = 0; x < w; x++) {
                int xa = Math.max(0, x - before);
                int xb = Math.min(w, x + after + 1);
                double sum = integral[yb * (w + 1) + xb] - integral[ya * (w + 1) + xb] - integral[yb * (w + 1) + xa]
                        + integral[ya * (w + 1) + xa];
                best = Math.max(best, sum / ((double) k * k));
            }
        }
        return (float) best;
    }
}
