package io.vigil.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.common.kafka.KafkaClientConfig;
import io.vigil.common.kafka.TransactionalClients;
import io.vigil.common.kafka.TransactionalLoop;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * What people see of the events, fed from the output topics (so every instance shows all cameras): the
 * {@link EventIndex} behind the REST API, the live stream and the page, and the webhook, which delivers each
 * announcement at least once on its own consumer group and thread (a failing endpoint delays only itself; after
 * the last retry the announcement goes to the dead-letter topic and the next one is sent).
 */
@ApplicationScoped
public class AlertViews {

    private static final Logger LOG = Logger.getLogger(AlertViews.class);
    static final String WEBHOOK_GROUP = "vigil-alert-sink-webhook";
    static final String WEBHOOK_STAGE = "alert-sink-webhook";

    private final AlertConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private final EventIndex index;
    private final ObjectMapper json;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private Thread feed;
    private KafkaConsumer<String, byte[]> feedConsumer;
    private TransactionalLoop webhook;
    private Thread webhookThread;

    public AlertViews(AlertConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            MeterRegistry registry, ObjectMapper json) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
        this.json = json;
        this.index = new EventIndex(config.view().maxEvents(), config.view().timelinePoints());
    }

    EventIndex index() {
        return index;
    }

    boolean caughtUp() {
        return caughtUp;
    }

    Optional<TransactionalLoop> webhook() {
        return Optional.ofNullable(webhook);
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        Optional<WebhookClient> client = webhookClient(config.webhook());
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ConsumerConfig.configNames());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-alert-sink-view");
        feedConsumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        feed = new Thread(this::runFeed, "alert-view");
        feed.setDaemon(true);
        feed.start();
        if (client.isPresent()) {
            String id = WEBHOOK_GROUP + "-" + InetAddress.getLocalHost().getHostName();
            webhook = new TransactionalLoop(TransactionalClients.consumer(kafkaConfig, WEBHOOK_GROUP, id, 1, Duration.ofMillis(200)),
                    TransactionalClients.producer(kafkaConfig, id), Topics.ANOMALY_EVENTS, WEBHOOK_STAGE, 1,
                    Duration.ofMillis(200), new WebhookHandler(client.get(), json, registry));
            webhookThread = new Thread(webhook, "alert-webhook");
            webhookThread.start();
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

    /** Reads all events and the recent frame scores, then follows both topics. */
    private void runFeed() {
        try {
            List<TopicPartition> events = waitForPartitions(Topics.ANOMALY_EVENTS);
            List<TopicPartition> scores = waitForPartitions(Topics.FRAME_SCORES);
            if (!running) {
                return;
            }
            List<TopicPartition> all = new ArrayList<>(events);
            all.addAll(scores);
            feedConsumer.assign(all);
            feedConsumer.seekToBeginning(events);
            Map<TopicPartition, Long> ends = feedConsumer.endOffsets(scores);
            Map<TopicPartition, Long> begins = feedConsumer.beginningOffsets(scores);
            for (TopicPartition tp : scores) {
                feedConsumer.seek(tp, Math.max(begins.get(tp), ends.get(tp) - config.view().timelinePoints()));
            }
            Map<TopicPartition, Long> eventEnds = feedConsumer.endOffsets(events);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : feedConsumer.poll(Duration.ofMillis(500))) {
                    try {
                        if (r.topic().equals(Topics.ANOMALY_EVENTS)) {
                            index.onEvent(VigilSerdes.ANOMALY_EVENT.parse(r));
                        } else {
                            index.onFrameScore(VigilSerdes.FRAME_SCORE.parse(r));
                        }
                    } catch (MalformedMessageException e) {
                        LOG.warnf("view skips a malformed record: %s", e.getMessage());
                    }
                }
                if (!caughtUp && eventEnds.entrySet().stream().allMatch(e -> feedConsumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.infof("view loaded: %d events", index.events(new EventIndex.Query(null, null, null,
                            Integer.MAX_VALUE)).size());
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.error("event view stopped", e);
        } finally {
            feedConsumer.close();
        }
    }

    private List<TopicPartition> waitForPartitions(String topic) throws WakeupException {
        while (running) {
            List<PartitionInfo> parts = feedConsumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (parts != null && !parts.isEmpty()) {
                return parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return List.of();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (feedConsumer != null) {
            feedConsumer.wakeup();
        }
        if (webhook != null) {
            webhook.stop();
            webhookThread.join(30_000);
        }
        if (feed != null) {
            feed.join(10_000);
        }
    }

    /** One announcement per transaction: POST it; when the webhook gives up, dead-letter it. */
    static final class WebhookHandler implements TransactionalLoop.Handler {
        private final WebhookClient client;
        private final ObjectMapper json;
        private final MeterRegistry registry;

        WebhookHandler(WebhookClient client, ObjectMapper json, MeterRegistry registry) {
            this.client = client;
            this.json = json;
            this.registry = registry;
        }

        @Override
        public void handle(List<ConsumerRecord<String, byte[]>> chunk, TransactionalLoop.Output out) {
            for (ConsumerRecord<String, byte[]> r : chunk) {
                var parsed = out.parseChecked(r, VigilSerdes.ANOMALY_EVENT, (key, event) -> { });
                if (parsed.isEmpty()) {
                    continue;
                }
                AnomalyEvent e = parsed.get();
                try {
                    String body = json.writeValueAsString(EventJson.of(e));
                    WebhookClient.Delivery d = client.post(e.getEventId() + ":" + e.getState() + ":" + e.getEndFrameIndex(), body);
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
