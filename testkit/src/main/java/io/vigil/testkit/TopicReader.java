package io.vigil.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning in tests, as raw bytes, with a fresh consumer group. */
public final class TopicReader {

    private TopicReader() {
    }

    /**
     * Reads records matching {@code filter} until {@code expected} have arrived (then reads for
     * {@code settle} longer to catch extras) or {@code timeout} passes; returns what was read.
     */
    public static List<ConsumerRecord<String, byte[]>> read(String bootstrapServers, String topic,
            Predicate<ConsumerRecord<String, byte[]>> filter, int expected, Duration timeout, Duration settle) {
        return read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic, filter, expected, timeout, settle);
    }

    /** As above, with a client configuration (bootstrap servers and, for a secured broker, TLS and SASL settings). */
    public static List<ConsumerRecord<String, byte[]>> read(Map<String, Object> clientConfig, String topic,
            Predicate<ConsumerRecord<String, byte[]>> filter, int expected, Duration timeout, Duration settle) {
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (filter.test(r)) {
                        out.add(r);
                    }
                }
                if (out.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return out;
    }

    /** Records whose key is {@code key}. */
    public static List<ConsumerRecord<String, byte[]>> readKey(String bootstrapServers, String topic, String key,
            int expected, Duration timeout) {
        return read(bootstrapServers, topic, r -> key.equals(r.key()), expected, timeout, Duration.ofSeconds(1));
    }
}
