package io.vigil.assembler;

import io.vigil.common.scoring.SequenceScoring;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.kafka.RecordTracing;
import io.vigil.proto.Topics;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * vigil.frames + vigil.detections (co-partitioned by camera) → one processor with three persistent (RocksDB,
 * changelogged) stores → vigil.sequences (or, scoring in this process, vigil.object-scores), and vigil.dead-letter
 * for what cannot become a sequence or a score.
 */
public final class AssemblerTopology {

    static final String FRAMES_SOURCE = "frames";
    static final String DETECTIONS_SOURCE = "detections";
    static final String PROCESSOR = "assembler";
    static final String SEQUENCES_SINK = "sequences";
    static final String OBJECT_SCORES_SINK = "object-scores";
    static final String DEAD_LETTER_SINK = "dead-letter";

    /** Recent frames per camera (the Frame record as it came), key {@code camera|index}. */
    static final String FRAMES_STORE = "assembler-frames";
    /** Detections waiting for the frames of their window, key {@code camera|index}. */
    static final String PENDING_STORE = "assembler-pending";
    /** Per-camera progress, key camera. */
    static final String CAMERAS_STORE = "assembler-cameras";

    private AssemblerTopology() {
    }

    /** Sequences to vigil.sequences, with a camera retention of {@link #DEFAULT_CAMERA_RETENTION}. */
    public static Topology build(SequenceBuilder builder, Duration maxWait, Duration punctuateEvery,
            int maxFramesPerCamera, AssemblerMetrics metrics) {
        return build(builder, Optional.empty(), maxWait, punctuateEvery, maxFramesPerCamera, DEFAULT_CAMERA_RETENTION,
                metrics, RecordTracing.OFF);
    }

    /** What a camera without input and without waiting detections is kept for: then its frames and progress go. */
    static final Duration DEFAULT_CAMERA_RETENTION = Duration.ofHours(24);

    /**
     * @param scoring present: the sequences are scored here and only their scores go out, to vigil.object-scores
     *     (the sequences never reach the broker); empty: they go to vigil.sequences for the anomaly-scorer
     */
    public static Topology build(SequenceBuilder builder, Optional<SequenceScoring> scoring, Duration maxWait,
            Duration punctuateEvery, int maxFramesPerCamera, Duration cameraRetention, AssemblerMetrics metrics,
            RecordTracing tracing) {
        Topology topology = new Topology();
        topology.addSource(FRAMES_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.FRAMES);
        topology.addSource(DETECTIONS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                Topics.DETECTIONS);
        topology.addProcessor(PROCESSOR,
                () -> new AssemblerProcessor(builder, scoring.orElse(null), maxWait, punctuateEvery, maxFramesPerCamera,
                        cameraRetention, metrics, tracing),
                FRAMES_SOURCE, DETECTIONS_SOURCE);
        // Cached: a key rewritten many times between two commits (a camera's state, on every record) reaches its
        // changelog once per commit, and a key written and deleted between them never does.
        for (String store : new String[] {FRAMES_STORE, PENDING_STORE, CAMERAS_STORE}) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
                    Serdes.ByteArray()).withCachingEnabled(), PROCESSOR);
        }
        if (scoring.isPresent()) {
            topology.addSink(OBJECT_SCORES_SINK, Topics.OBJECT_SCORES, Serdes.String().serializer(),
                    Serdes.ByteArray().serializer(), PROCESSOR);
        } else {
            topology.addSink(SEQUENCES_SINK, Topics.SEQUENCES, Serdes.String().serializer(),
                    Serdes.ByteArray().serializer(), PROCESSOR);
        }
        topology.addSink(DEAD_LETTER_SINK, Topics.DEAD_LETTER, Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PROCESSOR);
        return topology;
    }
}
