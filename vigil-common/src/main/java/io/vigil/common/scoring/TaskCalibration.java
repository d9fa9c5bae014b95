package io.vigil.common.scoring;

import java.util.Map;

/**
 * How a task's raw score is put on the common scale before averaging: {@code NONE} keeps it (the paper averages
 * raw scores), {@code ZSCORE} subtracts the training mean and divides by the standard deviation, {@code P99}
 * divides by the training 99th percentile. Statistics come from the model metadata
 * ({@code vigil.calibration.<task>.mean|std|p99}).
 */
public record TaskCalibration(float mean, float std, float p99) {

    public enum Mode {
        NONE, ZSCORE, P99
    }

    /** The scorer's default mode (a compile-time constant so config defaults can use it). */
    public static final String DEFAULT_MODE = "ZSCORE";

    public static final TaskCalibration IDENTITY = new TaskCalibration(0f, 1f, 1f);

    public float apply(float raw, Mode mode) {
        return switch (mode) {
            case NONE -> raw;
            case ZSCORE -> (raw - mean) / Math.max(std, 1e-6f);
            case P99 -> raw / Math.max(p99, 1e-6f);
        };
    }

    /** The calibration of {@code task} from model metadata, or {@link #IDENTITY} when the model has none. */
    public static TaskCalibration fromMetadata(Map<String, String> metadata, String task) {
        String prefix = "vigil.calibration." + task + ".";
        if (!metadata.containsKey(prefix + "mean")) {
            return IDENTITY;
        }
        return new TaskCalibration(Float.parseFloat(metadata.get(prefix + "mean")), Float.parseFloat(metadata.get(prefix + "std")),
                Float.parseFloat(metadata.get(prefix + "p99")));
    }
}
