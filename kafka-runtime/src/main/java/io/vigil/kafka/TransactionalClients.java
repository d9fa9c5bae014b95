package io.vigil.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The consumer and transactional producer a {@link TransactionalLoop} needs, from a service's {@code kafka.*} settings. */
public final class TransactionalClients {

    private TransactionalClients() {
    }

    /** read_committed, manual offsets (committed with the transaction), from the earliest offset for a new group. */
    public static KafkaConsumer<String, byte[]> consumer(Map<String, Object> kafkaConfig, String groupId, String clientId,
            int maxPollRecords, Duration maxWait) {
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ConsumerConfig.configNames());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) maxWait.toMillis());
        // A sequence is ~86 kB: the 1 MB default per partition would cap a poll, and the scorer's batch, at ~12.
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * An idempotent, transactional producer. The transactional id must be stable per instance and thread: a
     * restarted instance then fences its own zombie and aborts its open transaction.
     */
    public static KafkaProducer<String, byte[]> producer(Map<String, Object> kafkaConfig, String transactionalId) {
        Map<String, Object> props = KafkaClientConfig.forClient(kafkaConfig, ProducerConfig.configNames());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
