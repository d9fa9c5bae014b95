package io.vigil.assembler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import java.time.Duration;

/** {@code vigil.assembler.*}: the window and the crops. */
@ConfigMapping(prefix = "vigil.assembler")
public interface AssemblerConfig {

    /** Frames before and after the detection frame: sequences have 2t+1 crops (paper: 3). */
    @WithDefault("3")
    @Min(0)
    int t();

    /** Side of each square crop (paper: 64). */
    @WithDefault("64")
    @Positive
    int cropSize();

    /** Each box side is multiplied by this before cropping. */
    @WithDefault("1.0")
    @DecimalMin("0.1")
    float boxEnlargement();

    /** Detections with a shorter side get no sequence. */
    @WithDefault("4")
    @DecimalMin("0")
    float minBoxSide();

    /** A detection waits at most this long (wall clock) for the frames of its window, then is padded. */
    @WithDefault("5s")
    Duration maxWait();

    /** How often overdue detections are looked for. */
    @WithDefault("1s")
    Duration punctuateInterval();

    /** At shutdown Kafka Streams closes within this; past it the process ends without it (exactly once is kept). */
    @WithDefault("10s")
    Duration closeTimeout();

    /** Frames kept per camera at most, whatever the detector's lag. */
    @WithDefault("600")
    @Positive
    int maxFramesPerCamera();
}
