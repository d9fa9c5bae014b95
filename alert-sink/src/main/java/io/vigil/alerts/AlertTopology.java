package io.vigil.alerts;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.kafka.RecordTracing;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.vision.image.Thumbnails;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * vigil.detections + vigil.object-scores (+ vigil.frames for thumbnails), all co-partitioned by camera → one
 * processor with persistent, changelogged stores → vigil.frame-scores, vigil.anomaly-events and vigil.dead-letter.
 * With exactly-once processing the outputs, the stores and the input offsets commit together: a restart neither
 * loses nor repeats a frame score or an event announcement.
 */
public final class AlertTopology {

    static final String PROCESSOR = "alerts";
    static final String FRAME_SCORES_SINK = Topics.FRAME_SCORES + "-sink";
    static final String EVENTS_SINK = Topics.ANOMALY_EVENTS + "-sink";
    static final String DEAD_LETTER_SINK = Topics.DEAD_LETTER + "-sink";

    /** Each camera's {@code AlertTimelineState}, key camera. */
    static final String TIMELINES_STORE = "alert-timelines";
    /** Frames that can still become an event's peak (their JPEG), key {@code camera|index}. */
    static final String FRAMES_STORE = "alert-frames";
    /** The running event's peak frame per camera (a Frame), key camera. */
    static final String PEAKS_STORE = "alert-peaks";

    /**
     * What differs between cameras: event thresholds, the frame aggregation and smoothing they were chosen on, and
     * zones whose objects raise no event.
     */
    @FunctionalInterface
    interface CameraRules {
        /** The camera's frame scoring and event rules: the service's, with what the camera's thresholds bring. */
        AlertTimeline.Settings timeline(String camera, AlertTimeline.Settings service);

        /** The camera's NOT_ALERTED zone that holds this object, if any: it is then counted with score 0. */
        default Optional<String> notAlertedZone(ObjectScore score) {
            return Optional.empty();
        }
    }

    /**
     * How the processor is set up; {@code thumbnails} null = no thumbnails and no frames topic; the camera rules are
     * asked again for every input, so a change applies at once; a camera without input for {@code cameraRetention}
     * is forgotten.
     */
    record Settings(AlertTimeline.Settings timeline, CameraRules cameras, Thumbnails thumbnails, int maxFramesPerCamera,
            Duration idleTimeout, Duration endOfSourceTimeout, Duration punctuateEvery, Duration cameraRetention) {

        /** The camera's scoring, smoothing and event settings. */
        AlertTimeline.Settings timeline(String camera) {
            return cameras.timeline(camera, timeline);
        }
    }

    private AlertTopology() {
    }

    public static List<String> inputTopics(boolean thumbnails) {
        List<String> topics = new ArrayList<>(List.of(Topics.DETECTIONS, Topics.OBJECT_SCORES));
        if (thumbnails) {
            topics.add(Topics.FRAMES);
        }
        return topics;
    }

    static Topology build(Settings settings, AlertMetrics metrics, RecordTracing tracing) {
        Topology topology = new Topology();
        List<String> sources = new ArrayList<>();
        for (String topic : inputTopics(settings.thumbnails() != null)) {
            topology.addSource(topic, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topic);
            sources.add(topic);
        }
        topology.addProcessor(PROCESSOR, () -> new AlertProcessor(settings, metrics, tracing), sources.toArray(String[]::new));
        // Cached: a key rewritten many times between two commits (a camera's state, on every record) reaches its
        // changelog once per commit, and a key written and deleted between them never does.
        for (String store : new String[] {TIMELINES_STORE, FRAMES_STORE, PEAKS_STORE}) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
                    Serdes.ByteArray()).withCachingEnabled(), PROCESSOR);
        }
        topology.addSink(FRAME_SCORES_SINK, Topics.FRAME_SCORES, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                PROCESSOR);
        topology.addSink(EVENTS_SINK, Topics.ANOMALY_EVENTS, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, Topics.DEAD_LETTER, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                PROCESSOR);
        return topology;
    }
}
