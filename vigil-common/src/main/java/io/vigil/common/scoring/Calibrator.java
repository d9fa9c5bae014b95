package io.vigil.common.scoring;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calibration of a model from the raw task scores of normal objects it did not train on: for each task its
 * {@link TaskCalibration}, and for the tasks' surprises combined ({@link SsmtlScorer.Combination}) the combined
 * scale, so that an object score s means "one in 10^s normal objects scores as high" whatever mix of tasks produced
 * it. Written into the model's
 * metadata ({@code vigil.calibration.*}); the scorer, the services and the evaluator read it from there.
 */
public final class Calibrator {

    private final List<SsmtlScorer.Scores> normal = new ArrayList<>();

    public void add(List<SsmtlScorer.Scores> scores) {
        normal.addAll(scores);
    }

    public int size() {
        return normal.size();
    }

    /**
     * What a calibration is for.
     *
     * @param cues the tasks the combined scale is for (the scorer's default set)
     * @param rule how the combined scale combines them
     * @param bySpeed the tasks calibrated by band of speed ({@link SpeedBands}) where there are enough objects
     */
    public record Choice(Set<SsmtlScorer.Task> cues, SsmtlScorer.Combination rule, Set<SsmtlScorer.Task> bySpeed) {

        /** The defaults of a new model ({@link SsmtlScorer#DEFAULT_CUES} and the others beside it). */
        public static Choice defaults() {
            return new Choice(SsmtlScorer.defaultCues(), SsmtlScorer.Combination.parse(SsmtlScorer.DEFAULT_COMBINATION),
                    SsmtlScorer.parseTasks(SsmtlScorer.DEFAULT_BY_SPEED));
        }
    }

    /** @return the metadata entries: per task present in the scores and for {@link SsmtlScorer#COMBINED} */
    public Map<String, String> metadata(Choice choice) {
        if (normal.isEmpty()) {
            throw new IllegalStateException("no normal objects to calibrate with");
        }
        Set<SsmtlScorer.Task> bySpeed = choice.bySpeed();
        CueCalibration calibration = calibration(bySpeed);
        Map<String, String> out = new LinkedHashMap<>();
        for (SsmtlScorer.Task task : SsmtlScorer.Task.values()) {
            TaskCalibration table = calibration.table(task);
            if (table != null) {
                out.putAll(table.toMetadata(task.output));
                SpeedBands bands = calibration.bySpeed().get(task);
                if (bands != null) {
                    out.putAll(bands.toMetadata(task.output));
                } else if (bySpeed.contains(task)) {
                    out.put("vigil.calibration." + task.output + ".speed_bands_skipped", "fewer than "
                            + SpeedBands.BANDS * SpeedBands.MIN_OBJECTS_PER_BAND + " normal objects with a speed");
                }
            } else if (task.modelOutput) {
                // E.g. distillation with class-agnostic detections (the motion detector): the scorer leaves it out.
                out.put(SsmtlScorer.unavailableKey(task), "no normal object had a " + task.output + " score");
            }
        }
        EnumSet<SsmtlScorer.Task> combined = EnumSet.copyOf(choice.cues());
        combined.removeIf(t -> calibration.table(t) == null);
        out.putAll(combinedScale(combined, calibration, choice.rule()).toMetadata(SsmtlScorer.COMBINED));
        out.put("vigil.calibration." + SsmtlScorer.COMBINED + ".tasks", SsmtlScorer.taskNames(combined));
        out.put(SsmtlScorer.Combination.KEY, choice.rule().name().toLowerCase(java.util.Locale.ROOT));
        out.put("vigil.calibration.objects", Integer.toString(normal.size()));
        return out;
    }

    /**
     * Each task's calibration from these normal objects (the tasks they have a score for), {@code bySpeed}'s by band of
     * speed where there are enough objects with a speed.
     */
    public CueCalibration calibration(Set<SsmtlScorer.Task> bySpeed) {
        Map<SsmtlScorer.Task, TaskCalibration> tables = new EnumMap<>(SsmtlScorer.Task.class);
        Map<SsmtlScorer.Task, SpeedBands> bands = new EnumMap<>(SsmtlScorer.Task.class);
        for (SsmtlScorer.Task task : SsmtlScorer.Task.values()) {
            float[] values = values(task);
            if (values.length > 0) {
                tables.put(task, TaskCalibration.of(values));
                SpeedBands b = bySpeed.contains(task) ? speedBands(task) : null;
                if (b != null) {
                    bands.put(task, b);
                }
            }
        }
        return new CueCalibration(tables, bands);
    }

    /** {@code task}'s calibration by band of speed from these objects, or null when too few have both. */
    public SpeedBands speedBands(SsmtlScorer.Task task) {
        float[] raw = new float[normal.size()];
        float[] speed = new float[normal.size()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = normal.get(i).raw(task);
            speed[i] = normal.get(i).speed();
        }
        return SpeedBands.of(raw, speed);
    }

    /**
     * The scale on which {@code combined}'s surprises (each task by {@code calibration}), combined by {@code rule},
     * read as a surprise: for the model's metadata, and for the evaluator's ablations of other task sets and rules.
     */
    public TaskCalibration combinedScale(Set<SsmtlScorer.Task> combined, CueCalibration calibration,
            SsmtlScorer.Combination rule) {
        float[] values = new float[normal.size()];
        int n = 0;
        for (SsmtlScorer.Scores s : normal) {
            float v = SsmtlScorer.combineCues(s, combined, calibration, TaskCalibration.Mode.SURPRISE, rule);
            if (!Float.isNaN(v)) {
                values[n++] = v;
            }
        }
        return TaskCalibration.of(java.util.Arrays.copyOf(values, n));
    }

    private float[] values(SsmtlScorer.Task task) {
        float[] v = new float[normal.size()];
        int n = 0;
        for (SsmtlScorer.Scores s : normal) {
            float raw = s.raw(task);
            if (!Float.isNaN(raw)) {
                if (!Float.isFinite(raw)) {
                    throw new IllegalArgumentException("a normal object's " + task.output + " score is " + raw);
                }
                v[n++] = raw;
            }
        }
        return java.util.Arrays.copyOf(v, n);
    }
}
