package io.vigil.proto;

import java.util.List;

/** Every Kafka topic Vigil uses, with the partition count a fresh cluster gets by default. */
public final class Topics {

    public static final String FRAMES = "vigil.frames";
    public static final String DETECTIONS = "vigil.detections";
    public static final String SEQUENCES = "vigil.sequences";
    public static final String OBJECT_SCORES = "vigil.object-scores";
    public static final String FRAME_SCORES = "vigil.frame-scores";
    public static final String ANOMALY_EVENTS = "vigil.anomaly-events";
    public static final String DEAD_LETTER = "vigil.dead-letter";

    /** A topic and the partitions it is created with; partitions bound each stage's parallelism. */
    public record TopicSpec(String name, int partitions) {
        public TopicSpec {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("topic name must not be blank");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("topic " + name + " needs at least 1 partition, got " + partitions);
            }
        }
    }

    /**
     * Defaults for a single-node local cluster. Frames, detections and object scores must stay co-partitioned (the
     * same count): the sequence-assembler joins the first two by camera, the alert-sink all three.
     */
    public static final List<TopicSpec> DEFAULTS = List.of(
            new TopicSpec(FRAMES, 4),
            new TopicSpec(DETECTIONS, 4),
            new TopicSpec(SEQUENCES, 4),
            new TopicSpec(OBJECT_SCORES, 4),
            new TopicSpec(FRAME_SCORES, 4),
            new TopicSpec(ANOMALY_EVENTS, 1),
            new TopicSpec(DEAD_LETTER, 1));

    private Topics() {
    }
}
