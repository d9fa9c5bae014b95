package io.vigil.kafka;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.Optional;

/**
 * The settings of a service built on {@link LoopGroup}, which its {@code @ConfigMapping} extends: written once, read
 * alike by the object-detector ({@code vigil.detector.*}) and the anomaly-scorer ({@code vigil.scorer.*}).
 */
public interface LoopSettings {

    /** How long a poll waits for records before running a smaller batch. */
    @WithDefault("20ms")
    Duration maxWait();

    /**
     * How long a transaction stays open for more polls ({@link TransactionalLoop}): 0 commits each poll on its own.
     * Outputs become visible to the next stage up to this much later.
     */
    @WithDefault("0ms")
    Duration commitInterval();

    /** Consumer threads; each has its own consumer and transactional producer, all share one model session. */
    @WithDefault("1")
    @Positive
    int consumers();

    /** Unique per instance: the base of the transactional ids (defaults to the host name). */
    Optional<String> instanceId();
}
