package io.vigil.common.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vigil.common.sequence.SequenceTensors;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-object anomaly scores from an exported SSMTL model (paper §3.4): P(backward) from the arrow-of-time head,
 * P(intermittent) from the motion-irregularity head, the mean absolute error between the predicted and the real
 * middle crop, and the mean absolute gap between the distillation head's first 80 outputs and the detector's class
 * probabilities; and, computed here from the same sequence, the object's speed within its box ({@link MotionSpeed}).
 * Each is calibrated (the arrow of time by band of speed where the model's calibration says so: {@link SpeedBands}),
 * the object's score combines the enabled tasks the model has (their mean, or the rarest:
 * {@link Combination}), and with the surprise calibration that is put on the model's combined scale (one in 10^s
 * normal objects scores as high).
 * Thread-safe; a batch gives the same scores as its objects one by one.
 */
public final class SsmtlScorer {

    public enum Task {
        ARROW_OF_TIME(ModelContract.ARROW_OF_TIME_OUTPUT, true), IRREGULARITY(ModelContract.IRREGULARITY_OUTPUT, true),
        RECONSTRUCTION(ModelContract.RECONSTRUCTION_OUTPUT, true), DISTILLATION(ModelContract.DISTILLATION_OUTPUT, true),
        SPEED("speed", false);

        /** The task's name: the model output it reads, and its key in the calibration metadata. */
        public final String output;
        /** False for a task computed from the sequence itself, not by the network. */
        public final boolean modelOutput;

        Task(String output, boolean modelOutput) {
            this.output = output;
            this.modelOutput = modelOutput;
        }

        public static Task parse(String name) {
            for (Task t : values()) {
                if (t.output.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("no task " + name + "; tasks: arrow_of_time, irregularity, reconstruction, "
                    + "distillation, speed");
        }
    }

    /**
     * The cues a model's calibration combines unless told otherwise: those that helped the held-out video in most
     * folds of a leave-one-video-out over Ped2 test videos 01-06, with scores that do not follow the crowd (the
     * evaluator's {@code --folds}; docs/results.md). The middle-box prediction hurt in every fold and is left out.
     */
    public static final String DEFAULT_CUES = "arrow_of_time,irregularity,distillation,speed";

    /**
     * The cues a new model's calibration reads by band of speed unless told otherwise ({@link SpeedBands}): none. On
     * Ped2 the arrow of time by band of speed is better alone (micro AUC 66.5 % to 71.7 %), but in the whole scoring
     * it helps the held-out video in only 3 of 6 folds (docs/results.md).
     */
    public static final String DEFAULT_BY_SPEED = "";

    /** How a new model's calibration combines its cues unless told otherwise ({@link Combination}). */
    public static final String DEFAULT_COMBINATION = "mean";

    /** {@link #DEFAULT_CUES} as a set. */
    public static Set<Task> defaultCues() {
        return parseTasks(DEFAULT_CUES);
    }

    /** Task names, comma-separated, as a set (an unknown name is an error that lists the tasks). */
    public static Set<Task> parseTasks(String names) {
        EnumSet<Task> out = EnumSet.noneOf(Task.class);
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                out.add(Task.parse(name.trim()));
            }
        }
        return out;
    }

    /** The combined scale's calibration key in the model metadata. */
    public static final String COMBINED = "combined";

    /**
     * How an object's calibrated cues become one number before the combined scale reads it as a surprise: their
     * {@code MEAN}, as the paper averages its tasks, or the {@code RAREST} cue's surprise, which a single unusual cue
     * (a person walking backwards, at a normal speed and with a normal look) is not averaged away in. The model's
     * metadata ({@code vigil.calibration.combined.rule}) says which its combined scale was calibrated for; a model
     * that says nothing was calibrated for the mean.
     */
    public enum Combination {
        MEAN, RAREST;

        /** The key of the rule in the model metadata. */
        public static final String KEY = "vigil.calibration." + COMBINED + ".rule";

        public static Combination of(Map<String, String> metadata) {
            return parse(metadata.getOrDefault(KEY, MEAN.name()));
        }

        public static Combination parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("no cue combination " + name + "; mean or rarest");
            }
        }
    }

    /** Raw task scores (NaN where the task is off or absent) and the combined, calibrated score. */
    public record Scores(float arrowOfTime, float irregularity, float reconstruction, float distillation, float speed,
            float score) {

        public float raw(Task task) {
            return switch (task) {
                case ARROW_OF_TIME -> arrowOfTime;
                case IRREGULARITY -> irregularity;
                case RECONSTRUCTION -> reconstruction;
                case DISTILLATION -> distillation;
                case SPEED -> speed;
            };
        }
    }


    private final OnnxModel model;
    private final int frames;
    private final int crop;
    private final Set<Task> tasks;
    private final CueCalibration calibration;
    private final TaskCalibration.Mode mode;
    /** The combined scale (surprise calibration only), the tasks it was calibrated for, and how it combines them. */
    private final TaskCalibration combined;
    private final Set<Task> combinedTasks;
    private final Combination combination;

    /** @param enabled tasks to use; those the model lacks, or was calibrated without, are left out */
    public SsmtlScorer(OnnxModel model, Set<Task> enabled, TaskCalibration.Mode mode) {
        this.model = model;
        this.mode = mode;
        long[] in = model.inputShapes().get(ModelContract.INPUT_NAME);
        if (in == null || in.length != 5 || in[1] != 3 || in[2] <= 0 || in[3] <= 0 || in[3] != in[4]) {
            throw new ModelLoadException("model " + model.path() + " is not an SSMTL export: expected input 'sequences' "
                    + "[N,3,T,S,S]; it has " + model.describeSignature());
        }
        this.frames = (int) in[2];
        this.crop = (int) in[3];
        Map<String, String> metadata = model.customMetadata();
        ModelContract.requireInputShape(metadata, frames, crop, model.path().toString());
        EnumSet<Task> present = EnumSet.noneOf(Task.class);
        Map<Task, TaskCalibration> tables = new HashMap<>();
        Map<Task, SpeedBands> bands = new HashMap<>();
        for (Task t : enabled) {
            if (metadata.containsKey(unavailableKey(t))) {
                continue; // calibrated on objects that never had this score: it says nothing for this model
            }
            if (!t.modelOutput || model.outputShapes().containsKey(t.output)) {
                present.add(t);
                TaskCalibration c = TaskCalibration.fromMetadata(metadata, t.output);
                if (mode == TaskCalibration.Mode.SURPRISE && !c.hasTail()) {
                    throw new ModelLoadException("model " + model.path() + " has no surprise calibration for " + t.output
                            + " (vigil.calibration." + t.output + ".tail): calibrate it on normal videos (model-trainer "
                            + "calibrate) or choose calibration zscore");
                }
                tables.put(t, c);
                SpeedBands b = SpeedBands.fromMetadata(metadata, t.output);
                if (b != null) {
                    bands.put(t, b);
                }
            }
        }
        if (present.isEmpty() || present.stream().noneMatch(t -> t.modelOutput)) {
            throw new ModelLoadException("model " + model.path() + " has none of the enabled tasks " + enabled + "; it has "
                    + model.describeSignature());
        }
        this.tasks = present;
        this.calibration = new CueCalibration(tables, bands);
        TaskCalibration c = TaskCalibration.fromMetadata(metadata, COMBINED);
        this.combined = mode == TaskCalibration.Mode.SURPRISE && c.hasTail() ? c : null;
        this.combinedTasks = calibratedTasks(metadata);
        this.combination = Combination.of(metadata);
    }

    /**
     * The tasks the model's calibration combines (its metadata {@code vigil.calibration.combined.tasks}: the cues
     * chosen for it), or all of them when it names none: what a service scores with unless told otherwise.
     */
    public static Set<Task> modelTasks(OnnxModel model) {
        return modelTasks(model.customMetadata());
    }

    /** The same from the model's metadata, read before a session is opened ({@link #modelOutputs}). */
    public static Set<Task> modelTasks(Map<String, String> metadata) {
        Set<Task> calibrated = calibratedTasks(metadata);
        return calibrated.isEmpty() ? EnumSet.allOf(Task.class) : calibrated;
    }

    /**
     * The model outputs that scoring with {@code tasks} reads: a session opened with only these
     * ({@code OnnxSessionFactory.open(model, options, outputs)}) skips the heads of the other tasks; the middle-box
     * head alone is a second pass through the encoder.
     */
    public static Set<String> modelOutputs(Set<Task> tasks) {
        Set<String> names = new java.util.HashSet<>();
        tasks.stream().filter(t -> t.modelOutput).forEach(t -> names.add(t.output));
        return names;
    }

    private static Set<Task> calibratedTasks(Map<String, String> metadata) {
        String names = metadata.get("vigil.calibration." + COMBINED + ".tasks");
        return names == null ? EnumSet.noneOf(Task.class) : parseTasks(names);
    }

    /** Metadata key that marks a task the calibration objects had no score for. */
    public static String unavailableKey(Task t) {
        return "vigil.calibration." + t.output + ".unavailable";
    }

    /** Task names as the calibration metadata lists them: {@code arrow_of_time,irregularity,...} in task order. */
    public static String taskNames(Set<Task> tasks) {
        return String.join(",", EnumSet.copyOf(tasks).stream().map(t -> t.output).toList());
    }

    public int frames() {
        return frames;
    }

    public int cropSize() {
        return crop;
    }

    public Set<Task> tasks() {
        return tasks;
    }

    /** How the model's combined scale combines its cues. */
    public Combination combination() {
        return combination;
    }

    /** The tasks of the model's combined scale that this scorer has, or all it has when they are not all here. */
    public Set<Task> defaultTasks() {
        return !combinedTasks.isEmpty() && tasks.containsAll(combinedTasks) ? combinedTasks : tasks;
    }

    /** Checks a sequence fits the model; returns null when it does, else the reason. */
    public String incompatibility(ObjectSequence s) {
        if (s.getSequenceLength() != frames || s.getCropSize() != crop) {
            return "sequence of " + s.getSequenceLength() + " crops of " + s.getCropSize() + " px, but the model takes "
                    + frames + " crops of " + crop + " px";
        }
        if (s.getPixels().size() != frames * crop * crop * 3) {
            return "sequence pixels have " + s.getPixels().size() + " bytes, expected " + frames * crop * crop * 3;
        }
        return null;
    }

    /** One score per sequence, in order. All sequences must be compatible ({@link #incompatibility}). */
    public List<Scores> score(List<ObjectSequence> batch) {
        int n = batch.size();
        int per = 3 * frames * crop * crop;
        float[] input = new float[n * per];
        for (int i = 0; i < n; i++) {
            String problem = incompatibility(batch.get(i));
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            SequenceTensors.planar(batch.get(i).getPixels().toByteArray(), frames, crop, input, i * per);
        }
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(input),
                new long[] {n, 3, frames, crop, crop});
                OrtSession.Result r = model.session().run(Map.of(ModelContract.INPUT_NAME, t), modelOutputs(tasks))) {
            FloatBuffer aot = output(r, Task.ARROW_OF_TIME);
            FloatBuffer irr = output(r, Task.IRREGULARITY);
            FloatBuffer rec = output(r, Task.RECONSTRUCTION);
            FloatBuffer dist = output(r, Task.DISTILLATION);
            int k = dist == null ? 0 : dist.remaining() / n;
            boolean speed = tasks.contains(Task.SPEED) || calibration.needsSpeed();
            int plane = crop * crop;
            int middle = frames / 2;
            List<Scores> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                float a = aot == null ? Float.NaN : aot.get(2 * i + 1);
                float m = irr == null ? Float.NaN : irr.get(2 * i + 1);
                float e = Float.NaN;
                if (rec != null) {
                    double sum = 0;
                    for (int c = 0; c < 3; c++) {
                        for (int p = 0; p < plane; p++) {
                            float real = input[i * per + (c * frames + middle) * plane + p];
                            sum += Math.abs(rec.get((i * 3 + c) * plane + p) - real);
                        }
                    }
                    e = (float) (sum / (3 * plane));
                }
                float d = Float.NaN;
                if (dist != null) {
                    List<Float> probs = batch.get(i).getDetection().getClassProbabilitiesList();
                    if (probs.size() == 80 && k >= 80) {
                        double gap = 0;
                        for (int c = 0; c < 80; c++) {
                            gap += Math.abs(dist.get(i * k + c) - probs.get(c));
                        }
                        d = (float) (gap / 80);
                    }
                }
                float v = speed ? MotionSpeed.of(input, i * per, frames, crop) : Float.NaN;
                out.add(combine(a, m, e, d, v));
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("scoring with " + model.path() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The calibrated mean over {@code subset} of the tasks this scorer has (ablation without running the model again);
     * on the combined scale when those are the tasks the model's calibration combines.
     */
    public float scoreOf(Scores s, Set<Task> subset) {
        EnumSet<Task> used = present(subset);
        float combinedCues = combineCues(s, used, calibration, mode, combination);
        return combined != null && !Float.isNaN(combinedCues) && used.equals(combinedTasks) ? combined.surprise(combinedCues)
                : combinedCues;
    }

    /**
     * The calibrated cues of {@code subset} combined by {@code rule}, put on {@code scale} (a combined scale calibrated
     * for that subset and rule).
     */
    public float scoreOf(Scores s, Set<Task> subset, Combination rule, TaskCalibration scale) {
        return scoreOf(s, subset, rule, scale, calibration);
    }

    /** The same with each cue calibrated by {@code cues} instead of the model's calibration. */
    public float scoreOf(Scores s, Set<Task> subset, Combination rule, TaskCalibration scale, CueCalibration cues) {
        float combinedCues = combineCues(s, present(subset), cues, mode, rule);
        return Float.isNaN(combinedCues) ? combinedCues : scale.surprise(combinedCues);
    }

    private EnumSet<Task> present(Set<Task> subset) {
        EnumSet<Task> used = EnumSet.copyOf(tasks);
        used.retainAll(subset);
        return used;
    }

    /** The calibrated score of each {@link #defaultTasks} task that {@code s} has: what made the object unusual. */
    public Map<String, Float> cueSurprises(Scores s) {
        Map<String, Float> out = new java.util.LinkedHashMap<>();
        for (Task t : defaultTasks()) {
            float v = s.raw(t);
            if (!Float.isNaN(v)) {
                out.put(t.output, calibration.apply(t, s, mode));
            }
        }
        return out;
    }

    /** Each task's calibration, as {@link Calibrator#combinedScale} needs it. */
    public CueCalibration calibration() {
        return calibration;
    }

    /**
     * The calibrated scores of the {@code tasks} that {@code s} has, combined by {@code rule}: their mean or their
     * largest (NaN when it has none of them).
     */
    static float combineCues(Scores s, Set<Task> tasks, CueCalibration calibration, TaskCalibration.Mode mode,
            Combination rule) {
        double sum = 0;
        float largest = Float.NEGATIVE_INFINITY;
        int count = 0;
        for (Task t : tasks) {
            float v = s.raw(t);
            if (!Float.isNaN(v)) {
                float calibrated = calibration.apply(t, s, mode);
                sum += calibrated;
                largest = Math.max(largest, calibrated);
                count++;
            }
        }
        return count == 0 ? Float.NaN : rule == Combination.RAREST ? largest : (float) (sum / count);
    }

    private Scores combine(float aot, float irr, float rec, float dist, float speed) {
        Scores raw = new Scores(aot, irr, rec, dist, speed, Float.NaN);
        return new Scores(aot, irr, rec, dist, speed, scoreOf(raw, tasks));
    }

    private FloatBuffer output(OrtSession.Result r, Task task) {
        if (!tasks.contains(task)) {
            return null;
        }
        return ((OnnxTensor) r.get(task.output).orElseThrow()).getFloatBuffer();
    }
}
