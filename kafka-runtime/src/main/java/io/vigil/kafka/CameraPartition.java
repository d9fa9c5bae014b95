package io.vigil.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/** Where a camera's records are: every topic is keyed by camera id, and producers use Kafka's default partitioner. */
public final class CameraPartition {

    private CameraPartition() {
    }

    /** The partition the default partitioner puts {@code camera}'s records in (murmur2 of the key, as producers do). */
    public static int of(String camera, int partitions) {
        return Utils.toPositive(Utils.murmur2(camera.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The camera's partition of {@code topic}, asking the broker how many it has; empty when the topic does not exist. */
    public static Optional<TopicPartition> find(Consumer<?, ?> consumer, String topic, String camera, Duration timeout) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
        if (partitions == null || partitions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TopicPartition(topic, of(camera, partitions.size())));
    }
}
