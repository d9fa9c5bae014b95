package io.vigil.common.scoring;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How each of a model's cues is put on the common scale: a {@link TaskCalibration} per task, and for a task
 * calibrated by speed ({@link SpeedBands}) one per band of the object's speed. Read from the model's metadata, written
 * by the {@link Calibrator}.
 */
public final class CueCalibration {

    private final Map<SsmtlScorer.Task, TaskCalibration> tables;
    private final Map<SsmtlScorer.Task, SpeedBands> bySpeed;

    public CueCalibration(Map<SsmtlScorer.Task, TaskCalibration> tables, Map<SsmtlScorer.Task, SpeedBands> bySpeed) {
        this.tables = copy(tables);
        this.bySpeed = copy(bySpeed);
        if (!tables.keySet().containsAll(bySpeed.keySet())) {
            throw new IllegalArgumentException("speed bands for tasks without a table: " + bySpeed.keySet());
        }
    }

    /**
     * The calibrated value of {@code task} for an object with these raw scores: by its speed's band where the task has
     * bands and the object a speed, else by the task's table.
     */
    public float apply(SsmtlScorer.Task task, SsmtlScorer.Scores s, TaskCalibration.Mode mode) {
        SpeedBands bands = bySpeed.get(task);
        TaskCalibration c = bands == null || Float.isNaN(s.speed()) ? tables.get(task) : bands.band(s.speed());
        return c.apply(s.raw(task), mode);
    }

    /** The task's one table (over all speeds). */
    public TaskCalibration table(SsmtlScorer.Task task) {
        return tables.get(task);
    }

    public Map<SsmtlScorer.Task, SpeedBands> bySpeed() {
        return bySpeed;
    }

    /** Whether scoring with this calibration needs each object's speed, cue or not. */
    public boolean needsSpeed() {
        return !bySpeed.isEmpty();
    }

    /** The same with {@code task} calibrated by these bands, or by its one table when {@code bands} is null. */
    public CueCalibration withSpeedBands(SsmtlScorer.Task task, SpeedBands bands) {
        Map<SsmtlScorer.Task, SpeedBands> b = new EnumMap<>(SsmtlScorer.Task.class);
        b.putAll(bySpeed);
        if (bands == null) {
            b.remove(task);
        } else {
            b.put(task, bands);
        }
        return new CueCalibration(tables, b);
    }

    private static <V> Map<SsmtlScorer.Task, V> copy(Map<SsmtlScorer.Task, V> map) {
        Map<SsmtlScorer.Task, V> out = new EnumMap<>(SsmtlScorer.Task.class);
        out.putAll(map);
        return Collections.unmodifiableMap(out);
    }
}
