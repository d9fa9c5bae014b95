package io.vigil.kafka;

import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** The health of a service's transactional loops, as its /q/health checks report it (adapter code). */
public final class LoopHealth {

    private LoopHealth() {
    }

    /** Up once there are loops and every one runs; add service data to the builder. */
    public static HealthCheckResponseBuilder readiness(String name, List<TransactionalLoop> loops) {
        return HealthCheckResponse.named(name).status(!loops.isEmpty() && loops.stream().allMatch(TransactionalLoop::isRunning));
    }

    /** Down when a loop stopped on an error or has not polled for {@code stuckAfter}; each loop's state as data. */
    public static HealthCheckResponse liveness(String name, List<TransactionalLoop> loops, Duration stuckAfter) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).up();
        int i = 0;
        for (TransactionalLoop loop : loops) {
            String state = loop.state(stuckAfter);
            if (!state.equals("ok")) {
                b.down();
            }
            b.withData("loop-" + i++, state);
        }
        return b.build();
    }
}
