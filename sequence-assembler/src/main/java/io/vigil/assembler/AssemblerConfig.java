package io.vigil.assembler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vigil.common.scoring.ScoringSettings;
import io.vigil.common.sequence.SequenceSettings;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code vigil.assembler.*}: the window and the crops. */
@ConfigMapping(prefix = "vigil.assembler")
public interface AssemblerConfig {

    /** Frames before and after the detection frame: sequences have 2t+1 crops (paper: 3). */
    @WithDefault(SequenceSettings.DEFAULT_T)
    @Min(0)
    int t();

    /** Side of each square crop (paper: 64). */
    @WithDefault(SequenceSettings.DEFAULT_CROP_SIZE)
    @Positive
    int cropSize();

    /** Each box side is multiplied by this before cropping. */
    @WithDefault(SequenceSettings.DEFAULT_ENLARGEMENT)
    @DecimalMin("0.1")
    float boxEnlargement();

    /** Detections with a shorter side get no sequence. */
    @WithDefault(SequenceSettings.DEFAULT_MIN_BOX_SIDE)
    @DecimalMin("0")
    float minBoxSide();

    /**
     * The SSMTL model the scorer serves. When set, the assembler refuses to start unless {@link #t()} and
     * {@link #cropSize()} are what the model takes (its {@code vigil.t} and {@code vigil.crop_size}).
     */
    Optional<Path> model();

    /** Scoring in this process, when {@code vigil.assembler.scoring.model} is set. */
    Scoring scoring();

    /** The anomaly-scorer's settings ({@link ScoringSettings}), for scoring here. */
    interface Scoring extends ScoringSettings {
        /**
         * Set: the sequences are scored here with this default model (checked like {@link AssemblerConfig#model()}),
         * only their scores reach the broker (vigil.object-scores), and no anomaly-scorer runs; assembling and scoring
         * then scale together, on the cameras' partitions. Unset: sequences go to vigil.sequences.
         */
        Optional<Path> model();
    }

    /** A detection waits at most this long (wall clock) for the frames of its window, then is padded. */
    @WithDefault("5s")
    Duration maxWait();

    /** How often overdue detections are looked for. */
    @WithDefault("1s")
    Duration punctuateInterval();

    /** At shutdown Kafka Streams closes within this; past it the process ends without it (exactly once is kept). */
    @WithDefault("10s")
    Duration closeTimeout();

    /** A camera without frames for this long, and no detection waiting, is forgotten (its frames and progress). */
    @WithDefault("24h")
    Duration cameraRetention();

    /** Frames kept per camera at most, whatever the detector's lag. */
    @WithDefault("600")
    @Positive
    int maxFramesPerCamera();
}
