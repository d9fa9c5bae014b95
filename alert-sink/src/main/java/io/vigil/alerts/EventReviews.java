package io.vigil.alerts;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.kafka.KafkaClientConfig;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Review;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes operators' reviews as REVIEWED announcements on {@code vigil.anomaly-events}, keyed by camera like the
 * detector's, so downstream systems and every alert-sink's view see them in order with the event's other
 * announcements.
 */
@ApplicationScoped
public class EventReviews {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Object> kafkaConfig;
    private KafkaProducer<String, byte[]> producer;

    public EventReviews(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /** The REVIEWED announcement of {@code latest} (the event as last announced), once the broker has it. */
    public AnomalyEvent publish(AnomalyEvent latest, Review review) {
        AnomalyEvent reviewed = latest.toBuilder().setState(AnomalyEvent.State.REVIEWED).clearThumbnailJpeg()
                .setReview(review).build();
        try {
            producer().send(new ProducerRecord<>(Topics.ANOMALY_EVENTS, reviewed.getCameraId(), reviewed.toByteArray()))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return reviewed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the review", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the review could not be published: " + e.getMessage(), e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ProducerConfig.configNames());
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-alert-sink-reviews");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
