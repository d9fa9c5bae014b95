package io.vigil.common.sequence;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Which frames make the window i-t..i+t. A missing frame (before the camera's first frame, after its last, or a
 * gap where a frame was lost) is replaced by the nearest frame towards the middle that is there, so the sequence
 * always has 2t+1 crops; such a window is marked padded.
 */
public record WindowPlan(List<Long> frameIndices, boolean padded) {

    /** The plan for middle frame {@code middle}, which must be available. */
    public static WindowPlan plan(long middle, int t, LongPredicate available) {
        if (!available.test(middle)) {
            throw new IllegalArgumentException("the detection frame " + middle + " itself is not available");
        }
        Long[] indices = new Long[2 * t + 1];
        indices[t] = middle;
        boolean padded = false;
        for (int k = 1; k <= t; k++) {
            long before = middle - k;
            if (before >= 0 && available.test(before)) {
                indices[t - k] = before;
            } else {
                indices[t - k] = indices[t - k + 1];
                padded = true;
            }
            long after = middle + k;
            if (available.test(after)) {
                indices[t + k] = after;
            } else {
                indices[t + k] = indices[t + k - 1];
                padded = true;
            }
        }
        return new WindowPlan(List.copyOf(new ArrayList<>(List.of(indices))), padded);
    }
}
