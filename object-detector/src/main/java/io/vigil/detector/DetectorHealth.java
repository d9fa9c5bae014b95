package io.vigil.detector;

import io.vigil.common.kafka.TransactionalLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
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
        return () -> {
            boolean running = !service.loops().isEmpty() && service.loops().stream().allMatch(TransactionalLoop::isRunning);
            return HealthCheckResponse.named("detector").status(running).withData("model", service.detectorName())
                    .withData("loops", service.loops().size()).build();
        };
    }

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("detector-loops").up();
            int i = 0;
            for (TransactionalLoop loop : service.loops()) {
                String state = loop.state(STUCK);
                if (!state.equals("ok")) {
                    b.down();
                }
                b.withData("loop-" + i++, state);
            }
            return b.build();
        };
    }
}
