package io.vigil.scorer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vigil.common.scoring.ScoringSettings;
import io.vigil.kafka.LoopSettings;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;

/** {@code vigil.scorer.*}: the SSMTL model ({@link ScoringSettings}) and how sequences are batched for it. */
@ConfigMapping(prefix = "vigil.scorer")
public interface ScorerConfig extends LoopSettings, ScoringSettings {

    /**
     * The default SSMTL model (model-trainer): it scores every camera that has no model of its own in the registry.
     * Required: the service does not start without it.
     */
    Path model();

    @WithDefault("32")
    @Positive
    int maxBatch();
}
