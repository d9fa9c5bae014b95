package io.vigil.alerts;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.image.Thumbnails;
import io.vigil.proto.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /** How the processor is set up; {@code thumbnails} null = no thumbnails and no frames topic. */
    record Settings(AlertTimeline.Settings timeline, Thumbnails thumbnails, int maxFramesPerCamera, Duration idleTimeout,
            Duration punctuateEvery) {
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

    static Topology build(Settings settings, AlertMetrics metrics) {
        Topology topology = new Topology();
        List<String> sources = new ArrayList<>();
        for (String topic : inputTopics(settings.thumbnails() != null)) {
            topology.addSource(topic, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topic);
            sources.add(topic);
        }
        topology.addProcessor(PROCESSOR, () -> new AlertProcessor(settings, metrics), sources.toArray(String[]::new));
        for (String store : new String[] {Topics.Stores.ALERT_TIMELINES, Topics.Stores.ALERT_FRAMES, Topics.Stores.ALERT_PEAKS}) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
                    Serdes.ByteArray()), PROCESSOR);
        }
        for (String topic : new String[] {Topics.FRAME_SCORES, Topics.ANOMALY_EVENTS, Topics.DEAD_LETTER}) {
            topology.addSink(topic + "-sink", topic, Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
        }
        return topology;
    }
}
