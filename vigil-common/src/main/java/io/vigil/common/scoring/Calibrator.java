package io.vigil.common.scoring;

import java.util.ArrayList;
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
     * @param combinedTasks the tasks the combined scale is for (the scorer's default set)
     * @param rule how the combined scale combines them
     * @return the metadata entries: per task present in the scores and for {@link SsmtlScorer#COMBINED}
     */
    public Map<String, String> metadata(Set<SsmtlScorer.Task> combinedTasks, SsmtlScorer.Combination rule) {
        if (normal.isEmpty()) {
            throw new IllegalStateException("no normal objects to calibrate with");
        }
        Map<SsmtlScorer.Task, TaskCalibration> tasks = new LinkedHashMap<>();
        Map<String, String> out = new LinkedHashMap<>();
        for (SsmtlScorer.Task task : SsmtlScorer.Task.values()) {
            float[] values = values(task);
            if (values.length > 0) {
                TaskCalibration c = TaskCalibration.of(values);
                tasks.put(task, c);
                out.putAll(c.toMetadata(task.output));
            } else if (task.modelOutput) {
                // E.g. distillation with class-agnostic detections (the motion detector): the scorer leaves it out.
                out.put(SsmtlScorer.unavailableKey(task), "no normal object had a " + task.output + " score");
            }
        }
        EnumSet<SsmtlScorer.Task> combined = EnumSet.copyOf(combinedTasks);
        combined.retainAll(tasks.keySet());
        out.putAll(combinedScale(combined, tasks, rule).toMetadata(SsmtlScorer.COMBINED));
        out.put("vigil.calibration." + SsmtlScorer.COMBINED + ".tasks", SsmtlScorer.taskNames(combined));
        out.put(SsmtlScorer.Combination.KEY, rule.name().toLowerCase(java.util.Locale.ROOT));
        out.put("vigil.calibration.objects", Integer.toString(normal.size()));
        return out;
    }

    /**
     * The scale on which {@code combined}'s surprises (each task by {@code calibration}), combined by {@code rule},
     * read as a surprise: for the model's metadata, and for the evaluator's ablations of other task sets and rules.
     */
    public TaskCalibration combinedScale(Set<SsmtlScorer.Task> combined, Map<SsmtlScorer.Task, TaskCalibration> calibration,
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
