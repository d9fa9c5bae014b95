package io.vigil.common.scoring;

import java.util.Arrays;
import java.util.Map;

/**
 * How a task's raw score is put on the common scale, from its distribution on normal objects that the model did not
 * train on (model metadata {@code vigil.calibration.<task>.*}):
 * <ul>
 *   <li>{@code SURPRISE} (default): s such that one in 10^s normal objects scores at least as high, read off a table
 *       of the normal scores' tail ({@code .tail}: the raw score that a fraction 10^(-j/4) of them reach, j = 0, 1,
 *       ...). Beyond the rarest normal object it grows along the last decade's slope, at most {@link #EXTRAPOLATION}
 *       decades further: bounded, so no task can swamp the others, and comparable, since every task speaks in the
 *       same unit;</li>
 *   <li>{@code ZSCORE}: (raw − mean) / std; unbounded (a head that is almost constant on normal data turns a rare
 *       value into thousands);</li>
 *   <li>{@code P99}: raw / the 99th percentile;</li>
 *   <li>{@code NONE}: the raw score, as the paper averages them.</li>
 * </ul>
 */
public record TaskCalibration(float mean, float std, float p99, float[] tail) {

    public enum Mode {
        NONE, ZSCORE, P99, SURPRISE
    }

    /** The scorer's default mode (a compile-time constant so config defaults can use it). */
    public static final String DEFAULT_MODE = "SURPRISE";

    /** Steps of the tail table per decade of rarity. */
    public static final int STEPS_PER_DECADE = 4;

    /** How many decades beyond the rarest normal object the surprise may grow. */
    public static final float EXTRAPOLATION = 2f;

    public static final TaskCalibration IDENTITY = new TaskCalibration(0f, 1f, 1f, new float[0]);

    public TaskCalibration {
        tail = tail.clone();
    }

    /** The statistics of normal objects' scores (NaN-free). */
    public static TaskCalibration of(float[] normal) {
        if (normal.length == 0) {
            throw new IllegalArgumentException("no normal scores to calibrate with");
        }
        float[] sorted = normal.clone();
        Arrays.sort(sorted);
        double mean = 0;
        for (float v : sorted) {
            mean += v;
        }
        mean /= sorted.length;
        double var = 0;
        for (float v : sorted) {
            var += (v - mean) * (v - mean);
        }
        int n = sorted.length;
        float p99 = sorted[Math.min(n - 1, (int) Math.floor(0.99 * (n - 1)))];
        // Level j: the value that a fraction 10^(-j/4) of the objects reach or exceed, down to the rarest object.
        int levels = (int) Math.floor(STEPS_PER_DECADE * Math.log10(n)) + 1;
        float[] tail = new float[levels];
        for (int j = 0; j < levels; j++) {
            int reaching = (int) Math.max(1, Math.round(n * Math.pow(10, -(double) j / STEPS_PER_DECADE)));
            tail[j] = sorted[n - reaching];
        }
        return new TaskCalibration((float) mean, (float) Math.sqrt(var / n), p99, tail);
    }

    public float apply(float raw, Mode mode) {
        return switch (mode) {
            case NONE -> raw;
            case ZSCORE -> (raw - mean) / Math.max(std, 1e-6f);
            case P99 -> raw / Math.max(p99, 1e-6f);
            case SURPRISE -> surprise(raw);
        };
    }

    /** One in 10^s normal objects scores at least {@code raw}; continuous, non-decreasing, bounded. */
    public float surprise(float raw) {
        if (tail.length == 0) {
            throw new IllegalStateException("no tail table: this calibration cannot give a surprise");
        }
        if (!(raw > tail[0])) {
            return 0f;
        }
        int last = tail.length - 1;
        for (int j = 1; j <= last; j++) {
            if (raw <= tail[j]) {
                // tail[j - 1] < raw <= tail[j]; on a run of equal values raw sits at the run's first level
                return (j - 1 + (raw - tail[j - 1]) / (tail[j] - tail[j - 1])) / STEPS_PER_DECADE;
            }
        }
        float top = (float) last / STEPS_PER_DECADE;
        int decadeBack = Math.max(0, last - STEPS_PER_DECADE);
        float rise = tail[last] - tail[decadeBack];
        float beyond = rise > 0 ? (raw - tail[last]) / rise * (last - decadeBack) / STEPS_PER_DECADE : EXTRAPOLATION;
        return top + Math.min(EXTRAPOLATION, beyond);
    }

    /** The largest surprise this calibration gives. */
    public float maxSurprise() {
        return (float) (tail.length - 1) / STEPS_PER_DECADE + EXTRAPOLATION;
    }

    /** The calibration of {@code task} from model metadata, or {@link #IDENTITY} when the model has none. */
    public static TaskCalibration fromMetadata(Map<String, String> metadata, String task) {
        String prefix = "vigil.calibration." + task + ".";
        if (!metadata.containsKey(prefix + "mean")) {
            return IDENTITY;
        }
        float[] values = parseFloats(metadata.getOrDefault(prefix + "tail", ""));
        return new TaskCalibration(Float.parseFloat(metadata.get(prefix + "mean")), Float.parseFloat(metadata.get(prefix + "std")),
                Float.parseFloat(metadata.get(prefix + "p99")), values);
    }

    /** This calibration as model metadata of {@code task}. */
    public Map<String, String> toMetadata(String task) {
        String prefix = "vigil.calibration." + task + ".";
        return Map.of(prefix + "mean", Float.toString(mean), prefix + "std", Float.toString(std), prefix + "p99",
                Float.toString(p99), prefix + "tail", formatFloats(tail));
    }

    public boolean hasTail() {
        return tail.length > 0;
    }

    /** Floats as model metadata writes them: comma-separated, "" for none. */
    static String formatFloats(float[] values) {
        StringBuilder out = new StringBuilder();
        for (float v : values) {
            out.append(out.length() == 0 ? "" : ",").append(v);
        }
        return out.toString();
    }

    /** The floats of {@link #formatFloats}. */
    static float[] parseFloats(String csv) {
        if (csv.isBlank()) {
            return new float[0];
        }
        String[] parts = csv.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Float.parseFloat(parts[i].trim());
        }
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskCalibration c && mean == c.mean && std == c.std && p99 == c.p99 && Arrays.equals(tail, c.tail);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tail) * 31 + Float.hashCode(mean);
    }

    @Override
    public String toString() {
        return "TaskCalibration[mean=" + mean + ", std=" + std + ", p99=" + p99 + ", tail=" + Arrays.toString(tail) + "]";
    }
}
