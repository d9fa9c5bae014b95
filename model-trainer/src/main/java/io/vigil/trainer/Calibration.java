package io.vigil.trainer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Score distribution of each task on normal training data (mean, standard deviation, 99th percentile), stored in
 * the model metadata as {@code vigil.calibration.<task>.<stat>} so the scorer can put the tasks on one scale.
 */
public final class Calibration {

    public static final List<String> TASKS = List.of("arrow_of_time", "irregularity", "reconstruction", "distillation");

    private Calibration() {
    }

    /** @param scores per task, the scores of the training objects */
    public static Map<String, String> metadata(Map<String, float[]> scores) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String task : TASKS) {
            float[] s = scores.get(task);
            if (s == null || s.length == 0) {
                continue;
            }
            NumericGuard.requireFinite(s, "calibration scores of " + task);
            double mean = 0;
            for (float v : s) {
                mean += v;
            }
            mean /= s.length;
            double var = 0;
            for (float v : s) {
                var += (v - mean) * (v - mean);
            }
            float[] sorted = s.clone();
            Arrays.sort(sorted);
            float p99 = sorted[Math.min(sorted.length - 1, (int) Math.floor(0.99 * (sorted.length - 1)))];
            out.put("vigil.calibration." + task + ".mean", Float.toString((float) mean));
            out.put("vigil.calibration." + task + ".std", Float.toString((float) Math.sqrt(var / s.length)));
            out.put("vigil.calibration." + task + ".p99", Float.toString(p99));
        }
        return out;
    }
}
