package io.vigil.scorer;

import io.vigil.common.kafka.TransactionalLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
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
        return () -> HealthCheckResponse.named("scorer")
                .status(!service.loops().isEmpty() && service.loops().stream().allMatch(TransactionalLoop::isRunning))
                .withData("model", service.modelVersion()).build();
    }

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("scorer-loops").up();
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
