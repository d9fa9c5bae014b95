package io.vigil.scorer;

import io.vigil.kafka.LoopHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Ready: model loaded and loops running. Live: no loop failed or hangs. */
@ApplicationScoped
public class ScorerHealth {

    private static final Duration STUCK = Duration.ofMinutes(2);

    private final ScorerService service;

    public ScorerHealth(ScorerService service) {
        this.service = service;
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> LoopHealth.readiness("scorer", service.loops()).withData("model", service.modelVersion())
                .withData("camera-models-loaded", service.cameraModelsLoaded()).build();
    }

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> LoopHealth.liveness("scorer-loops", service.loops(), STUCK);
    }
}
