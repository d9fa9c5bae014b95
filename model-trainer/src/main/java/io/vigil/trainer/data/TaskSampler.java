package io.vigil.trainer.data;

import io.vigil.common.sequence.WindowPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * The frame windows of the proxy tasks for an object detected in frame i:
 * <ul>
 *   <li>consecutive: i-t..i+t (the window the services use; label "forward" / "regular");</li>
 *   <li>reversed: the same frames in reverse order (arrow of time, label "backward");</li>
 *   <li>intermittent: frame i with t earlier and t later frames picked at random, with gaps, from up to
 *       {@code maxGap * t} frames away (motion irregularity, label "irregular"); at least one gap is larger than
 *       one frame, so it never equals the consecutive window.</li>
 * </ul>
 */
public final class TaskSampler {

    private final int t;
    private final int maxGap;

    public TaskSampler(int t, int maxGap) {
        if (t < 1 || maxGap < 2) {
            throw new IllegalArgumentException("need t >= 1 and maxGap >= 2, got t=" + t + " maxGap=" + maxGap);
        }
        this.t = t;
        this.maxGap = maxGap;
    }

    public WindowPlan consecutive(long middle, LongPredicate available) {
        return WindowPlan.plan(middle, t, available);
    }

    public static WindowPlan reversed(WindowPlan plan) {
        List<Long> indices = new ArrayList<>(plan.frameIndices());
        Collections.reverse(indices);
        return new WindowPlan(List.copyOf(indices), plan.padded());
    }

    /** An intermittent window; empty when the video has too few frames around {@code middle} for one. */
    public java.util.Optional<WindowPlan> intermittent(long middle, LongPredicate available, Random random) {
        List<Long> before = pick(middle, -1, available, random);
        List<Long> after = pick(middle, +1, available, random);
        if (before == null || after == null) {
            return java.util.Optional.empty();
        }
        List<Long> indices = new ArrayList<>(before);
        indices.add(middle);
        indices.addAll(after);
        boolean gapped = false;
        for (int k = 1; k < indices.size(); k++) {
            gapped |= indices.get(k) - indices.get(k - 1) > 1;
        }
        if (!gapped) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new WindowPlan(List.copyOf(indices), false));
    }

    /** t distinct frames on one side of the middle, in time order, with at least one gap; null if impossible. */
    private List<Long> pick(long middle, int direction, LongPredicate available, Random random) {
        List<Long> candidates = new ArrayList<>();
        for (int k = 1; k <= maxGap * t; k++) {
            long j = middle + direction * (long) k;
            if (j >= 0 && available.test(j)) {
                candidates.add(j);
            }
        }
        if (candidates.size() <= t) {
            return null; // only the consecutive frames (or fewer): no room for gaps
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            Collections.shuffle(candidates, random);
            TreeSet<Long> chosen = new TreeSet<>(candidates.subList(0, t));
            List<Long> ordered = new ArrayList<>(chosen);
            long span = Math.abs(ordered.get(ordered.size() - 1) - ordered.get(0)) + 1;
            boolean nearest = direction < 0 ? ordered.get(ordered.size() - 1) == middle - 1 : ordered.get(0) == middle + 1;
            if (span > t || !nearest) {
                return ordered;
            }
        }
        return null;
    }
}
