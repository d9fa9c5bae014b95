package io.vigil.scorer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vigil.common.scoring.ScoringSettings;
import io.vigil.kafka.LoopSettings;
import jakarta.validation.constraints.Positive;

/** {@code vigil.scorer.*}: the SSMTL model ({@link ScoringSettings}) and how sequences are batched for it. */
@ConfigMapping(prefix = "vigil.scorer")
public interface ScorerConfig extends LoopSettings, ScoringSettings {

    @WithDefault("32")
    @Positive
    int maxBatch();
}
