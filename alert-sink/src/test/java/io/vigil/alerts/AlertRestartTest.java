package io.vigil.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.kafka.RecordTracing;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameScore;
import io.vigil.testkit.InProcessKafka;
import io.vigil.testkit.TopicReader;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.Thumbnails;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart in the middle of an event, on a real broker with exactly-once processing: the second instance starts
 * without local state, restores the timeline from the changelog, and the topics hold every frame score and every
 * announcement once.
 */
class AlertRestartTest {

    @TempDir
    Path stateA;

    @TempDir
    Path stateB;

    @Test
    void restartInTheMiddleOfAnEventRepeatsAndLosesNothing() throws Exception {
        List<AlertInputs.Input> inputs = AlertInputs.camera("cam-r", AlertInputs.ped2Jpegs(30), 0, 30, 10, 14);
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(Topics.DEFAULTS);
            AlertInputs.send(kafka.bootstrapServers(), inputs.subList(0, 3 * 13)); // frames 0..12: the event opened at 12 and is running
            KafkaStreams first = start(kafka, stateA);
            List<AnomalyEvent> opened = events(kafka, 1);
            assertEquals(AnomalyEvent.State.OPEN, opened.get(0).getState());
            assertEquals(13, scores(kafka, 13).size());
            first.close(Duration.ofSeconds(30));

            AlertInputs.send(kafka.bootstrapServers(), inputs.subList(3 * 13, inputs.size()));
            KafkaStreams second = start(kafka, stateB);
            try {
                List<FrameScore> scores = scores(kafka, 30);
                Set<Long> frames = new HashSet<>();
                scores.forEach(s -> assertTrue(frames.add(s.getFrameIndex()), "frame " + s.getFrameIndex() + " twice"));
                assertEquals(30, frames.size());
                List<AnomalyEvent> all = events(kafka, 2);
                assertEquals(List.of(AnomalyEvent.State.OPEN, AnomalyEvent.State.CLOSED), all.stream().map(AnomalyEvent::getState).toList());
                assertEquals(List.of("cam-r:10", "cam-r:10"), all.stream().map(AnomalyEvent::getEventId).toList());
                assertEquals(14, all.get(1).getEndFrameIndex());
                assertTrue(!all.get(1).getThumbnailJpeg().isEmpty(), "the peak frame survived the restart in the store");
            } finally {
                second.close(Duration.ofSeconds(30));
            }
        }
    }

    private static KafkaStreams start(InProcessKafka kafka, Path stateDir) {
        Properties props = kafka.streamsProperties("alert-restart-test", stateDir);
        AlertTopology.Settings settings = new AlertTopology.Settings(AlertInputs.SETTINGS, (camera, service) -> service,
                new Thumbnails(new ImageCodec(), 160, 80),
                600, Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(1));
        KafkaStreams streams = new KafkaStreams(AlertTopology.build(settings, AlertMetrics.NONE, RecordTracing.OFF), props);
        streams.start();
        return streams;
    }

    /** Waits for at least {@code expected} records, then a quiet period, so a duplicate would show. */
    private static List<AnomalyEvent> events(InProcessKafka kafka, int expected) {
        return TopicReader.read(kafka.bootstrapServers(), Topics.ANOMALY_EVENTS, r -> true, expected, Duration.ofSeconds(120),
                Duration.ofSeconds(3)).stream().map(VigilSerdes.ANOMALY_EVENT::parse).toList();
    }

    private static List<FrameScore> scores(InProcessKafka kafka, int expected) {
        return TopicReader.read(kafka.bootstrapServers(), Topics.FRAME_SCORES, r -> true, expected, Duration.ofSeconds(120),
                Duration.ofSeconds(3)).stream().map(VigilSerdes.FRAME_SCORE::parse).toList();
    }
}
