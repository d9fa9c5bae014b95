package io.vigil.ingest.service;

import io.vigil.ingest.CameraState;
import io.vigil.ingest.CameraStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the cameras: each camera's state, frames and last error as data. DOWN only when every
 * configured camera failed (one broken camera does not make the others' instance unready). Broker
 * reachability is the Kafka extension's own readiness check.
 */
@Readiness
@ApplicationScoped
public class IngestHealth implements HealthCheck {

    private final IngestService service;

    public IngestHealth(IngestService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        List<CameraStatus> statuses = service.statuses();
        boolean allFailed = !statuses.isEmpty() && statuses.stream().allMatch(s -> s.state() == CameraState.FAILED);
        HealthCheckResponseBuilder b = HealthCheckResponse.named("cameras").status(!allFailed);
        for (CameraStatus s : statuses) {
            String detail = s.state() + ", " + s.framesPublished() + " frames, " + s.badFrames() + " bad"
                    + (s.lastError().isEmpty() ? "" : ", last error: " + s.lastError());
            b.withData(s.cameraId(), detail);
        }
        return b.build();
    }
}
