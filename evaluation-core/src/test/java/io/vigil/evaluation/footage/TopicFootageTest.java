package io.vigil.evaluation.footage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.testkit.InProcessKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A camera's footage read from a real broker: its partition only, its time range, its anomaly events left out. */
class TopicFootageTest {

    static InProcessKafka kafka;
    static final long T0 = 1_780_000_000_000L;

    @BeforeAll
    static void publish() throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(Topics.DEFAULTS);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 200; i++) {
                for (String camera : List.of("gate", "plaza", "dock")) {
                    // Record times as frame-ingest's (send time), capture times 100 ms apart.
                    producer.send(new ProducerRecord<>(Topics.FRAMES, null, T0 + i * 100L, camera, Frame.newBuilder()
                            .setCameraId(camera).setFrameIndex(i).setCaptureTimeMs(T0 + i * 100L).setWidth(8).setHeight(8)
                            .setJpeg(ByteString.copyFromUtf8(camera + i)).build().toByteArray()));
                }
            }
            // gate: a closed event on frames 100..109, an event still open from frame 190; plaza: one on 0..199.
            event(producer, "gate", "gate:100", AnomalyEvent.State.OPEN, 100, 100);
            event(producer, "gate", "gate:100", AnomalyEvent.State.CLOSED, 100, 109);
            event(producer, "gate", "gate:190", AnomalyEvent.State.OPEN, 190, 192);
            event(producer, "plaza", "plaza:0", AnomalyEvent.State.CLOSED, 0, 199);
        }
    }

    private static void event(KafkaProducer<String, byte[]> p, String camera, String id, AnomalyEvent.State state, int from,
            int to) throws Exception {
        p.send(new ProducerRecord<>(Topics.ANOMALY_EVENTS, camera, AnomalyEvent.newBuilder().setEventId(id).setCameraId(camera)
                .setState(state).setStartTimeMs(T0 + from * 100L).setEndTimeMs(T0 + to * 100L).build().toByteArray())).get();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static TopicFootage footage(String camera, int fromFrame, int toFrame) {
        return new TopicFootage(Map.of("bootstrap.servers", kafka.bootstrapServers()), new TopicFootage.Range(camera,
                T0 + fromFrame * 100L, T0 + toFrame * 100L), Duration.ofMillis(500), new ClipSampler(camera, 20, 7, 10_000, 0.25, 1));
    }

    @Test
    void readsTheCamerasRangeLessItsEvents() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TopicFootage footage = footage("gate", 20, 199);
        List<Clip> clips = footage.clips(new PrintStream(log, true));

        // Frames 20..94 and 115..184: the closed event widened by 5 frames each side, the open one to the end.
        List<Long> indices = clips.stream().flatMap(c -> c.frames().stream()).map(Frame::getFrameIndex).toList();
        assertTrue(clips.stream().flatMap(c -> c.frames().stream()).allMatch(f -> f.getCameraId().equals("gate")));
        assertEquals(20L, indices.get(0));
        assertTrue(!indices.contains(95L) && !indices.contains(114L) && indices.contains(94L) && indices.contains(115L),
                indices.toString());
        assertEquals(184L, indices.get(indices.size() - 1), "the open event leaves out everything after it");
        assertEquals(20 + 75 - 20 + 70, indices.size(), "20..94 and 115..184");
        assertEquals(List.of(20L, 40L, 60L, 80L, 115L, 135L, 155L, 175L),
                clips.stream().map(c -> c.frames().get(0).getFrameIndex()).toList(), "clips break at the event");
        assertEquals(2, clips.stream().filter(Clip::heldOut).count(), "the latest quarter held out");
        assertTrue(clips.get(7).heldOut() && clips.get(6).heldOut() && !clips.get(5).heldOut());

        assertEquals("gate", footage.range().getCameraId());
        assertEquals(T0 + 20 * 100L, footage.range().getFromTimeMs());
        assertEquals(T0 + 184 * 100L, footage.range().getToTimeMs());
        assertEquals(145, footage.range().getFrames());
        assertEquals(20 + 15, footage.range().getExcludedFrames(), "95..114 and 185..199");
        assertTrue(log.toString().contains("left out as part of 2 anomaly events"), log.toString());
    }

    @Test
    void aCameraWithOnlyAnomaliesHasNoFootage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> footage("plaza", 0, 199).clips(new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("no usable footage") && e.getMessage().contains("200 in events"), e.getMessage());
    }

    @Test
    void footageKnownToBeNormalKeepsTheFramesOfEvents() {
        TopicFootage all = new TopicFootage(Map.of("bootstrap.servers", kafka.bootstrapServers()), new TopicFootage.Range(
                "plaza", T0, T0 + 199 * 100L), null, new ClipSampler("plaza", 20, 7, 10_000, 0.25, 1));
        assertEquals(200, all.clips(new PrintStream(new ByteArrayOutputStream())).stream().mapToInt(c -> c.frames().size())
                .sum(), "the false alarms of a model that does not know the scene yet");
        assertEquals(0, all.range().getExcludedFrames());
    }

    @Test
    void aRangeBeforeAnyFrameStartsAtTheFirst() {
        List<Clip> clips = footage("dock", -1000, 30).clips(new PrintStream(new ByteArrayOutputStream()));
        assertEquals(31, clips.stream().mapToInt(c -> c.frames().size()).sum(), "frames 0..30");
    }
}
