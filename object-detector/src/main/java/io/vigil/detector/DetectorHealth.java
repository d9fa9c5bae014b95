package io.vigil.detector;

import io.vigil.kafka.LoopHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready: the model is loaded and every loop runs. Live: no loop stopped on an error or hangs (has not polled for
 * two minutes, e.g. stuck in inference).
 */
@ApplicationScoped
public class DetectorHealth {

    private static final Duration STUCK = Duration.ofMinutes(2);

    private final DetectorService service;

    public DetectorHealth(DetectorService service) {
        this.service = service;
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> LoopHealth.readiness("detector", service.loops()).withData("model", service.detectorName())
                .withData("loops", service.loops().size()).build();
    }

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> LoopHealth.liveness("detector-loops", service.loops(), STUCK);
    }
}
