package io.vigil.assembler;

import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.proto.Topics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * vigil.frames + vigil.detections (co-partitioned by camera) → one processor with three persistent (RocksDB,
 * changelogged) stores → vigil.sequences, and vigil.dead-letter for what cannot become a sequence.
 */
public final class AssemblerTopology {

    static final String FRAMES_SOURCE = "frames";
    static final String DETECTIONS_SOURCE = "detections";
    static final String PROCESSOR = "assembler";
    static final String SEQUENCES_SINK = "sequences";
    static final String DEAD_LETTER_SINK = "dead-letter";

    /** Recent frames per camera (the Frame record as it came), key {@code camera|index}. */
    static final String FRAMES_STORE = "assembler-frames";
    /** Detections waiting for the frames of their window, key {@code camera|index}. */
    static final String PENDING_STORE = "assembler-pending";
    /** Per-camera progress, key camera. */
    static final String CAMERAS_STORE = "assembler-cameras";

    private AssemblerTopology() {
    }

    /** With a camera retention of {@link #DEFAULT_CAMERA_RETENTION}. */
    public static Topology build(SequenceBuilder builder, Duration maxWait, Duration punctuateEvery,
            int maxFramesPerCamera, AssemblerMetrics metrics) {
        return build(builder, maxWait, punctuateEvery, maxFramesPerCamera, DEFAULT_CAMERA_RETENTION, metrics);
    }

    /** What a camera without input and without waiting detections is kept for: then its frames and progress go. */
    static final Duration DEFAULT_CAMERA_RETENTION = Duration.ofHours(24);

    public static Topology build(SequenceBuilder builder, Duration maxWait, Duration punctuateEvery,
            int maxFramesPerCamera, Duration cameraRetention, AssemblerMetrics metrics) {
        Topology topology = new Topology();
        topology.addSource(FRAMES_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.FRAMES);
        topology.addSource(DETECTIONS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                Topics.DETECTIONS);
        topology.addProcessor(PROCESSOR,
                () -> new AssemblerProcessor(builder, maxWait, punctuateEvery, maxFramesPerCamera, cameraRetention, metrics),
                FRAMES_SOURCE, DETECTIONS_SOURCE);
        for (String store : new String[] {FRAMES_STORE, PENDING_STORE, CAMERAS_STORE}) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
                    Serdes.ByteArray()), PROCESSOR);
        }
        topology.addSink(SEQUENCES_SINK, Topics.SEQUENCES, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, Topics.DEAD_LETTER, Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PROCESSOR);
        return topology;
    }
}
