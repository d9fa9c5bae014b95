package io.vigil.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** Where a camera's records are: every topic is keyed by camera id, and producers use Kafka's default partitioner. */
public final class CameraPartition {

    private CameraPartition() {
    }

    /** The partition the default partitioner puts {@code camera}'s records in (murmur2 of the key, as producers do). */
    public static int of(String camera, int partitions) {
        return Utils.toPositive(Utils.murmur2(camera.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
