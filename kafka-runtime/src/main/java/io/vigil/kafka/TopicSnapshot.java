package io.vigil.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every committed record of a topic, read from the beginning up to the end offsets of the moment (no group). */
public final class TopicSnapshot {

    private TopicSnapshot() {
    }

    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, String topic, Duration timeout) {
        return readAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic, timeout);
    }

    /** As above, with a client configuration: bootstrap servers and, for a secured broker, TLS and SASL settings. */
    public static List<ConsumerRecord<String, byte[]>> readAll(Map<String, Object> clientConfig, String topic, Duration timeout) {
        return read(clientConfig, topic, null, timeout);
    }

    /**
     * As above, each record mapped as it is read: for a topic too large to hold whole (a long run's sequences), keep only
     * what is needed of each.
     */
    public static <T> List<T> readAll(Map<String, Object> clientConfig, String topic, Duration timeout,
            Function<ConsumerRecord<String, byte[]>, T> keep) {
        return read(clientConfig, topic, null, timeout, keep);
    }

    /** One camera's records of a topic: only its partition is read. */
    public static List<ConsumerRecord<String, byte[]>> readCamera(Map<String, Object> clientConfig, String topic, String camera,
            Duration timeout) {
        return read(clientConfig, topic, camera, timeout);
    }

    private static List<ConsumerRecord<String, byte[]>> read(Map<String, Object> clientConfig, String topic, String camera,
            Duration timeout) {
        return read(clientConfig, topic, camera, timeout, Function.identity());
    }

    private static <T> List<T> read(Map<String, Object> clientConfig, String topic, String camera, Duration timeout,
            Function<ConsumerRecord<String, byte[]>, T> keep) {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = camera == null
                    ? c.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(i -> new TopicPartition(topic, i.partition())).toList()
                    : CameraPartition.find(c, topic, camera, Duration.ofSeconds(30)).stream().toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took longer than " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                    if (camera == null || camera.equals(r.key())) {
                        out.add(keep.apply(r));
                    }
                }
            }
        }
        return out;
    }
}
