package io.vigil.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.kafka.LoopGroup;
import io.vigil.kafka.RecordTracing;
import io.vigil.kafka.TransactionalLoop;
import io.vigil.proto.CameraIds;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The webhook, when one is configured: delivers each announcement on {@code vigil.anomaly-events} at least once,
 * on its own consumer group and thread, so a failing endpoint delays only itself; after the last retry the
 * announcement goes to the dead-letter topic and the next one is sent.
 */
@ApplicationScoped
public class WebhookDelivery {

    private static final Logger LOG = Logger.getLogger(WebhookDelivery.class);
    static final String WEBHOOK_GROUP = "vigil-alert-sink-webhook";
    static final String WEBHOOK_STAGE = "alert-sink-webhook";
    /** How long a review waits for the view to read up to it. */
    private static final Duration VIEW_WAIT = Duration.ofSeconds(30);

    private final AlertConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private final ObjectMapper json;
    private final EventFeed feed;
    private final RecordTracing tracing;
    private LoopGroup webhook;

    public WebhookDelivery(AlertConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            MeterRegistry registry, ObjectMapper json, EventFeed feed, OpenTelemetry openTelemetry) {
        this.config = config;
        this.tracing = new RecordTracing(openTelemetry);
        this.feed = feed;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
        this.json = json;
    }

    /** The delivery loop, for health; empty when no webhook is configured. */
    List<TransactionalLoop> loops() {
        return webhook == null ? List.of() : webhook.loops();
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        Optional<WebhookClient> client = webhookClient(config.webhook());
        if (client.isPresent()) {
            // One announcement per transaction, in order.
            webhook = LoopGroup.start(kafkaConfig, new LoopGroup.Spec(WEBHOOK_GROUP, InetAddress.getLocalHost().getHostName(),
                    1, Topics.ANOMALY_EVENTS, WEBHOOK_STAGE, 1, 1, Duration.ofMillis(200), Duration.ZERO,
                    new WebhookHandler(client.get(), json, registry, feed), "alert-webhook", tracing));
            LOG.infof("webhook: POST to %s, %d attempts", client.get().target(), config.webhook().maxAttempts());
        }
    }

    static Optional<WebhookClient> webhookClient(AlertConfig.Webhook w) {
        if (w.url().isEmpty()) {
            return Optional.empty();
        }
        WebhookClient.checkAllowed(w.url().get(), w.allowedHosts().orElse(List.of()));
        return Optional.of(new WebhookClient(new WebhookClient.Settings(w.url().get(), w.authorization(), w.maxAttempts(),
                w.initialBackoff(), w.maxBackoff(), w.timeout())));
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (webhook != null) {
            webhook.stop(Duration.ofSeconds(30));
        }
    }

    /** One announcement per transaction: POST it; when the webhook gives up, dead-letter it. */
    static final class WebhookHandler implements TransactionalLoop.Handler {
        private final WebhookClient client;
        private final ObjectMapper json;
        private final MeterRegistry registry;
        private final EventFeed feed;

        WebhookHandler(WebhookClient client, ObjectMapper json, MeterRegistry registry, EventFeed feed) {
            this.client = client;
            this.json = json;
            this.registry = registry;
            this.feed = feed;
        }

        /** A review is passed on only for an event the view knows, once the view has read up to the review. */
        private boolean announced(ConsumerRecord<String, byte[]> r, AnomalyEvent review) {
            try {
                return feed.awaitEventsRead(r.partition(), r.offset(), VIEW_WAIT)
                        && feed.index().event(review.getEventId()).isPresent();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking review " + review.getEventId(), ex);
            }
        }

        @Override
        public void handle(List<ConsumerRecord<String, byte[]>> chunk, TransactionalLoop.Output out) {
            for (ConsumerRecord<String, byte[]> r : chunk) {
                var parsed = out.parseChecked(r, VigilSerdes.ANOMALY_EVENT, MessageChecks::anomalyEvent);
                if (parsed.isEmpty()) {
                    continue;
                }
                AnomalyEvent e = parsed.get();
                if (e.getState() == AnomalyEvent.State.REVIEWED && !announced(r, e)) {
                    out.deadLetter(r, "review of event " + e.getEventId() + ", which was never announced", null);
                    continue;
                }
                try {
                    String body = json.writeValueAsString(EventJson.of(e));
                    // Camera ids are Unicode; a header is visible ASCII.
                    WebhookClient.Delivery d = client.post(CameraIds.percentEncoded(e.getEventId() + ":" + e.getState() + ":"
                            + e.getEndFrameIndex()), body);
                    registry.counter("vigil.alerts.webhook", "outcome", d.delivered() ? "delivered" : "failed").increment();
                    if (!d.delivered()) {
                        LOG.warnf("webhook %s gave up on event=%s state=%s after %d attempts: %s", client.target(),
                                e.getEventId(), e.getState(), d.attempts(), d.lastError());
                        out.deadLetter(r, "webhook " + client.target() + " failed " + d.attempts() + " times: " + d.lastError(),
                                null);
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while delivering " + e.getEventId(), ex);
                } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                    out.deadLetter(r, "cannot write event as JSON: " + ex.getMessage(), ex);
                }
            }
        }
    }
}
