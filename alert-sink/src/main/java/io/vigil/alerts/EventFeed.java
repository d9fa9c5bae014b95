package io.vigil.alerts;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.kafka.KafkaClientConfig;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameScore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * {@link EventIndex} behind the REST API, the live stream and the page, read on a thread of its own from all of
 * {@code vigil.anomaly-events} and the recent {@code vigil.frame-scores}, then following both.
 */
@ApplicationScoped
public class EventFeed {

    private static final Logger LOG = Logger.getLogger(EventFeed.class);

    private final AlertConfig config;
    private final Map<String, Object> kafkaConfig;
    private final EventIndex index;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile String failure;
    private final Counter skipped;
    /** Per partition of the events topic, the next offset the view will read. */
    private final Map<Integer, Long> eventsRead = new java.util.concurrent.ConcurrentHashMap<>();
    private Thread feed;
    private KafkaConsumer<String, byte[]> feedConsumer;

    public EventFeed(AlertConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            MeterRegistry registry) {
        this.config = config;
        this.skipped = registry.counter("vigil.alerts.view.skipped");
        this.kafkaConfig = kafkaConfig;
        this.index = new EventIndex(config.view().maxEvents(), config.view().timelinePoints(), config.view().maxCameras(),
                config.cameraRetention(), System::currentTimeMillis);
    }

    public EventIndex index() {
        return index;
    }

    /** Every event there was at start has been read. */
    boolean caughtUp() {
        return caughtUp;
    }

    void onStart(@Observes StartupEvent event) {
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ConsumerConfig.configNames());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-alert-sink-view");
        feedConsumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        feed = new Thread(this::runFeed, "alert-view");
        feed.setDaemon(true);
        feed.start();
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
                    show(r);
                }
                for (TopicPartition tp : events) {
                    eventsRead.put(tp.partition(), feedConsumer.position(tp));
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
            failure = e.toString();
            LOG.error("event view stopped", e);
        } finally {
            feedConsumer.close();
        }
    }

    /**
     * One record into the view, if it is a message the alert-sink could have written. The view only reads (every
     * instance reads everything), so what it cannot use is counted and logged, not dead-lettered: the webhook's
     * loop dead-letters bad events once.
     */
    private void show(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.value() == null) {
                throw new MalformedMessageException("null value", null);
            }
            if (r.topic().equals(Topics.ANOMALY_EVENTS)) {
                AnomalyEvent e = VigilSerdes.ANOMALY_EVENT.parse(r);
                MessageChecks.anomalyEvent(r.key(), e);
                index.onEvent(e);
            } else {
                FrameScore s = VigilSerdes.FRAME_SCORE.parse(r);
                MessageChecks.frameScore(r.key(), s);
                index.onFrameScore(s);
            }
        } catch (MalformedMessageException | MessageChecks.InvalidMessageException e) {
            skipped.increment();
            LOG.warnf("view skips the record at %s/%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /**
     * Waits up to {@code timeout} until the view has read the events topic's partition past {@code offset}; true if
     * it has. (The webhook asks before it trusts a review: the event must have been announced before it.)
     */
    boolean awaitEventsRead(int partition, long offset, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (eventsRead.getOrDefault(partition, -1L) <= offset) {
            if (System.nanoTime() > deadline || !alive()) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** False once the view's thread ended on its own: the page would never change again (liveness goes DOWN). */
    boolean alive() {
        return feed == null || feed.isAlive() || !running;
    }

    /** Why the view stopped, or null. */
    String failure() {
        return failure;
    }

    private List<TopicPartition> waitForPartitions(String topic) throws WakeupException {
        while (running) {
            try {
                List<PartitionInfo> parts = feedConsumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (parts != null && !parts.isEmpty()) {
                    return parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // A broker still starting does not answer within 5 s: ask again, or the page's view stops for good.
                LOG.infof("no metadata of %s yet (%s); asking again", topic, e.getMessage());
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
        if (feed != null) {
            feed.join(10_000);
        }
    }
}
