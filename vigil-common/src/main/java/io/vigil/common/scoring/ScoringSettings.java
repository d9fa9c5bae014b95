package io.vigil.common.scoring;

import io.smallrye.config.WithDefault;
import io.vigil.vision.onnx.Device;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of the scoring step besides its default model, which a scoring service's {@code @ConfigMapping}
 * extends: read alike by the anomaly-scorer ({@code vigil.scorer.*}) and an assembler that scores in its own process
 * ({@code vigil.assembler.scoring.*}). Each has its own word on the model: the scorer requires one, the assembler
 * scores only when given one.
 */
public interface ScoringSettings {

    /** The model registry (see ModelRegistry): per-camera and per-scene models. Absent: the default model for all. */
    Optional<Path> registry();

    /**
     * Most registry models held loaded at once (least recently used out). Each costs its ONNX session's memory: about
     * 225 MB at max-batch 32 with the memory arena, 20 MB without (bench/results/models*.md).
     */
    @WithDefault("8")
    @Positive
    int maxLoadedModels();

    /**
     * ONNX Runtime's CPU memory arena for the models: about 3x faster, but each session keeps its largest batch's
     * activations; off, a scorer can hold many camera models in little memory.
     */
    @WithDefault("true")
    boolean memoryArena();

    @WithDefault("auto")
    Device device();

    /** Threads for one ONNX operator; 0: as many CPUs as this process may use (OnnxSessionFactory.intraOpThreads). */
    @WithDefault("0")
    @Min(0)
    int intraOpThreads();

    /**
     * Tasks in the anomaly score: arrow_of_time, irregularity, reconstruction, distillation, speed. Unset: each
     * model's own (the cues its calibration combines, chosen for it); another set is an ablation, off the model's
     * combined scale.
     */
    Optional<Set<SsmtlScorer.Task>> tasks();

    /**
     * How task scores are put on one scale (model metadata): surprise (one in 10^s normal objects scores as high;
     * bounded), zscore, p99 or none (the paper's raw mean).
     */
    @WithDefault(TaskCalibration.DEFAULT_MODE)
    TaskCalibration.Mode calibration();

    /** How often the model file and the registry are checked for new versions (0 = never). */
    @WithDefault("5s")
    Duration reloadInterval();
}
