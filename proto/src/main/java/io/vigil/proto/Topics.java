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

    /** State store names of the Kafka Streams services (their changelog topics are named after them). */
    public static final class Stores {
        /** sequence-assembler: recent frames per camera, key {@code camera|index}. */
        public static final String ASSEMBLER_FRAMES = "assembler-frames";
        /** sequence-assembler: detections waiting for the frames of their window, key {@code camera|index}. */
        public static final String ASSEMBLER_PENDING = "assembler-pending";
        /** sequence-assembler: per-camera progress, key camera. */
        public static final String ASSEMBLER_CAMERAS = "assembler-cameras";

        /** alert-sink: each camera's {@code AlertTimelineState}, key camera. */
        public static final String ALERT_TIMELINES = "alert-timelines";
        /** alert-sink: frames that can still become an event's peak (their JPEG), key {@code camera|index}. */
        public static final String ALERT_FRAMES = "alert-frames";
        /** alert-sink: the running event's peak frame per camera (a Frame), key camera. */
        public static final String ALERT_PEAKS = "alert-peaks";

        private Stores() {
        }
    }

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
