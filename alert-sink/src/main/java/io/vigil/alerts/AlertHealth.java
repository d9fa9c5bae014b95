package io.vigil.alerts;

import io.vigil.kafka.LoopHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Beside the Kafka Streams checks of the extension: ready once the event view has read the events topic; live
 * while the view's thread and the webhook loop (if any) run, and the webhook loop polls.
 */
@ApplicationScoped
public class AlertHealth {

    private static final Duration STUCK = Duration.ofMinutes(5);

    private final EventFeed feed;
    private final WebhookDelivery webhook;

    public AlertHealth(EventFeed feed, WebhookDelivery webhook) {
        this.feed = feed;
        this.webhook = webhook;
    }

    @Produces
    @Readiness
    HealthCheck viewLoaded() {
        return () -> HealthCheckResponse.named("alert-view").status(feed.caughtUp()).build();
    }

    @Produces
    @Liveness
    HealthCheck viewRunning() {
        return () -> HealthCheckResponse.named("alert-view-thread").status(feed.alive())
                .withData("state", feed.alive() ? "ok" : "failed: " + feed.failure()).build();
    }

    @Produces
    @Liveness
    HealthCheck webhook() {
        // No webhook configured: no loops, up.
        return () -> LoopHealth.liveness("alert-webhook", webhook.loops(), STUCK);
    }
}
