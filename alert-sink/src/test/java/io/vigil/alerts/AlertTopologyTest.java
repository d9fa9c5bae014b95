package io.vigil.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.EventDetector;
import io.vigil.kafka.RecordTracing;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import io.vigil.vision.image.Thumbnails;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertTopologyTest {

    private final ImageCodec codec = new ImageCodec();
    private TopologyTestDriver driver;
    private Map<String, TestInputTopic<String, byte[]>> inputs;
    private TestOutputTopic<String, byte[]> frameScores;
    private TestOutputTopic<String, byte[]> events;
    private TestOutputTopic<String, byte[]> deadLetters;

    /** Event settings of cameras that do not use the defaults; read for every input, as the registry's are. */
    private final Map<String, AlertTimeline.Settings> perCamera = new java.util.concurrent.ConcurrentHashMap<>();
    /** Cameras all of whose objects lie in a NOT_ALERTED zone (by name). */
    private final Map<String, String> notAlerted = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        AlertTopology.CameraRules rules = new AlertTopology.CameraRules() {
            @Override
            public AlertTimeline.Settings timeline(String camera, AlertTimeline.Settings service) {
                return perCamera.getOrDefault(camera, service);
            }

            @Override
            public java.util.Optional<String> notAlertedZone(ObjectScore score) {
                if (score.getCameraId().equals("broken-rules")) {
                    throw new IllegalStateException("zone lookup failed for " + score.getCameraId());
                }
                return java.util.Optional.ofNullable(notAlerted.get(score.getCameraId()));
            }
        };
        AlertTopology.Settings settings = new AlertTopology.Settings(AlertInputs.SETTINGS, rules, new Thumbnails(codec, 160, 80),
                600, Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofHours(1));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(AlertTopology.build(settings, AlertMetrics.NONE, RecordTracing.OFF), props, Instant.ofEpochMilli(0));
        inputs = new HashMap<>();
        for (String t : AlertTopology.inputTopics(true)) {
            inputs.put(t, driver.createInputTopic(t, Serdes.String().serializer(), Serdes.ByteArray().serializer()));
        }
        frameScores = driver.createOutputTopic(Topics.FRAME_SCORES, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        events = driver.createOutputTopic(Topics.ANOMALY_EVENTS, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    static AnomalyEvent event(byte[] value) {
        return VigilSerdes.ANOMALY_EVENT.deserializer().parse(value, Topics.ANOMALY_EVENTS);
    }

    private void pipe(List<AlertInputs.Input> in) {
        for (AlertInputs.Input i : in) {
            inputs.get(i.topic()).pipeInput(i.key(), i.value());
        }
    }

    @Test
    void spikeGivesExactFrameScoresAndOneEventWithAThumbnailOfItsPeak() throws Exception {
        List<byte[]> jpegs = AlertInputs.ped2Jpegs(30);
        pipe(AlertInputs.camera("cam-1", jpegs, 0, 30, 10, 14));

        List<FrameScore> scores = frameScores.readValuesToList().stream().map(v -> VigilSerdes.FRAME_SCORE.deserializer().parse(v, Topics.FRAME_SCORES)).toList();
        assertEquals(30, scores.size());
        for (int f = 0; f < 30; f++) {
            assertEquals(f, scores.get(f).getFrameIndex());
            assertEquals(AlertInputs.score(f, 10, 14), scores.get(f).getRawScore(), 1e-6f);
            assertEquals(scores.get(f).getRawScore(), scores.get(f).getSmoothedScore(), 1e-6f);
            assertEquals(1, scores.get(f).getObjectCount());
        }
        List<AnomalyEvent> announced = events.readValuesToList().stream().map(AlertTopologyTest::event).toList();
        assertEquals(List.of(AnomalyEvent.State.OPEN, AnomalyEvent.State.CLOSED), announced.stream().map(AnomalyEvent::getState).toList());
        for (AnomalyEvent e : announced) {
            assertEquals("cam-1:10", e.getEventId());
            assertEquals(10, e.getStartFrameIndex());
            assertEquals(10, e.getPeakFrameIndex());
            assertEquals(0.9f, e.getPeakScore(), 1e-6f);
            assertEquals(1_700_000_001_000L, e.getStartTimeMs());
            assertEquals(1, e.getBoxesCount());
            assertEquals(AlertInputs.BOX, e.getBoxes(0).getBox());
            assertEquals("speed", e.getCause(), "the cue with the largest share of the peak object's score");
            assertEquals(Map.of("speed", 0.75f, "distillation", 0.25f), e.getCueSharesMap());
            assertEquals("unusually fast (speed 75 %, appearance 25 %)", EventJson.of(e).explanation());
            RgbImage thumb = codec.decode(e.getThumbnailJpeg().toByteArray());
            assertEquals(160, thumb.width());
            assertEquals(107, thumb.height());
            // The box (x 100..140 of 360 → 44..62 of 160) is outlined in red.
            int y = 100 * 107 / 240;
            boolean red = false;
            for (int x = 43; x <= 46; x++) {
                red |= thumb.value(x, y, 0) > 180 && thumb.value(x, y, 1) < 110;
            }
            assertTrue(red, "red outline at the box's left edge");
            assertTrue(thumb.value(53, y, 0) < 180 || thumb.value(53, y, 1) > 110, "inside the box the frame shows");
        }
        assertEquals(12, announced.get(0).getEndFrameIndex(), "OPEN once it lasted 3 frames");
        assertEquals(14, announced.get(1).getEndFrameIndex());

        KeyValueStore<String, byte[]> frames = driver.getKeyValueStore(AlertTopology.FRAMES_STORE);
        long kept = 0;
        try (var it = frames.all()) {
            while (it.hasNext()) {
                it.next();
                kept++;
            }
        }
        assertTrue(kept <= 1, "frames whose score is final are evicted, kept " + kept);
    }

    @Test
    void eachCameraHasItsOwnThresholdsAndAChangeAppliesToTheNextFrames() throws Exception {
        List<byte[]> jpegs = AlertInputs.ped2Jpegs(60);
        // Spikes of 0.9 on frames 10..14: the default open threshold is 0.5, the strict camera's 0.95.
        perCamera.put("strict", AlertInputs.SETTINGS.withEvents(new EventDetector.Settings(0.95f, 0.6f, 3, 2, 0)));
        pipe(AlertInputs.camera("cam-1", jpegs, 0, 30, 10, 14));
        pipe(AlertInputs.camera("strict", jpegs, 0, 30, 10, 14));
        Map<String, List<String>> byCamera = new HashMap<>();
        events.readValuesToList().stream().map(AlertTopologyTest::event)
                .forEach(e -> byCamera.computeIfAbsent(e.getCameraId(), c -> new java.util.ArrayList<>()).add(e.getEventId()
                        + " " + e.getState()));
        assertEquals(Map.of("cam-1", List.of("cam-1:10 OPEN", "cam-1:10 CLOSED")), byCamera, "0.9 is no event at 0.95");

        // A new calibration lowers the strict camera's threshold: its next spike (frames 40..44) is an event.
        perCamera.put("strict", AlertInputs.SETTINGS.withEvents(new EventDetector.Settings(0.85f, 0.6f, 3, 2, 0)));
        List<AlertInputs.Input> next = AlertInputs.camera("strict", jpegs, 30, 60, 40, 44);
        pipe(next);
        List<AnomalyEvent> strict = events.readValuesToList().stream().map(AlertTopologyTest::event).toList();
        assertEquals(List.of("strict:40 OPEN", "strict:40 CLOSED"), strict.stream().map(e -> e.getEventId() + " "
                + e.getState()).toList());
        assertEquals(44, strict.get(1).getEndFrameIndex());
    }

    @Test
    void aCameraScoresItsFramesWithTheSmoothingItsThresholdsWereChosenOn() throws Exception {
        // The street's thresholds were chosen on frame scores smoothed over neighbours; the service's are not smoothed.
        perCamera.put("street", AlertInputs.SETTINGS.withSmoothing(2, 6));
        List<byte[]> jpegs = AlertInputs.ped2Jpegs(30);
        pipe(AlertInputs.camera("street", jpegs, 0, 30, 10, 14));
        pipe(AlertInputs.camera("plaza", jpegs, 0, 30, 10, 14));

        List<FrameScore> all = frameScores.readValuesToList().stream()
                .map(v -> VigilSerdes.FRAME_SCORE.deserializer().parse(v, Topics.FRAME_SCORES)).toList();
        List<FrameScore> street = all.stream().filter(s -> s.getCameraId().equals("street")).toList();
        List<FrameScore> plaza = all.stream().filter(s -> s.getCameraId().equals("plaza")).toList();
        assertEquals(24, street.size(), "the last 6 frames wait for the 6 frames of look-ahead");
        assertEquals(30, plaza.size());
        assertEquals(0.1f, plaza.get(9).getSmoothedScore(), 1e-6f, "unsmoothed: the frame before the spike");
        assertTrue(street.get(9).getSmoothedScore() > 0.3f, "smoothed: the spike reaches the frame before it, got "
                + street.get(9).getSmoothedScore());
        assertTrue(street.get(12).getSmoothedScore() < 0.9f && street.get(12).getSmoothedScore() > 0.5f);
    }

    @Test
    void objectsInANotAlertedZoneCountAsZeroAndRaiseNoEvent() throws Exception {
        notAlerted.put("flagpole", "flag");
        List<byte[]> jpegs = AlertInputs.ped2Jpegs(30);
        pipe(AlertInputs.camera("flagpole", jpegs, 0, 30, 10, 14));
        List<FrameScore> scores = frameScores.readValuesToList().stream()
                .map(v -> VigilSerdes.FRAME_SCORE.deserializer().parse(v, Topics.FRAME_SCORES)).toList();
        assertEquals(30, scores.size(), "every frame still scored");
        assertTrue(scores.stream().allMatch(f -> f.getRawScore() == 0f && f.getObjectCount() == 1), scores.toString());
        assertTrue(events.isEmpty(), "the spike is in the zone: no event");
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndTheStreamContinues() throws Exception {
        List<byte[]> jpegs = AlertInputs.ped2Jpegs(20);
        List<AlertInputs.Input> in = AlertInputs.camera("cam-1", jpegs, 0, 20, 5, 9);
        pipe(in.subList(0, 15));
        inputs.get(Topics.OBJECT_SCORES).pipeInput("cam-1", "not protobuf".getBytes(StandardCharsets.UTF_8));
        inputs.get(Topics.DETECTIONS).pipeInput("cam-1", new byte[0]);
        // Messages that parse but break the contract: they must not touch cam-1's state either.
        FrameDetections huge = FrameDetections.newBuilder().setCameraId("cam-1").setFrameIndex(15).setWidth(100_000)
                .setHeight(100_000).build();
        inputs.get(Topics.DETECTIONS).pipeInput("cam-1", huge.toByteArray());
        inputs.get(Topics.DETECTIONS).pipeInput("cam-9", huge.toBuilder().setWidth(360).setHeight(240).build().toByteArray());
        ObjectScore scoreOfNothing = ObjectScore.parseFrom(in.get(3 * 15 + 2).value()).toBuilder().setScore(Float.NaN).build();
        inputs.get(Topics.OBJECT_SCORES).pipeInput("cam-1", scoreOfNothing.toByteArray());
        pipe(in.subList(15, in.size()));

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        List<String> reasons = dead.stream().map(r -> new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(),
                StandardCharsets.UTF_8)).toList();
        assertEquals(5, dead.size(), reasons.toString());
        assertTrue(reasons.get(0).contains(Topics.OBJECT_SCORES), reasons.get(0));
        assertTrue(reasons.get(2).contains("100000x100000"), reasons.get(2));
        assertTrue(reasons.get(3).contains("record key 'cam-9' is not the camera id 'cam-1'"), reasons.get(3));
        assertTrue(reasons.get(4).contains("is NaN"), reasons.get(4));
        assertEquals(20, frameScores.readValuesToList().size(), "every frame scored despite the bad records");
        assertEquals(2, events.readValuesToList().size());
    }

    @Test
    void cameraThatGoesQuietIsFlushedAndItsRunningEventClosed() throws Exception {
        List<byte[]> jpegs = AlertInputs.ped2Jpegs(20);
        pipe(AlertInputs.camera("cam-2", jpegs, 0, 20, 15, 19));
        List<AnomalyEvent> before = events.readValuesToList().stream().map(AlertTopologyTest::event).toList();
        assertEquals(List.of(AnomalyEvent.State.OPEN), before.stream().map(AnomalyEvent::getState).toList());
        assertFalse(before.get(0).getThumbnailJpeg().isEmpty());

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertTrue(events.isEmpty(), "not idle yet");
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertTrue(events.isEmpty(), "idle counted from the first check after the input: 6 s");
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        AnomalyEvent closed = event(events.readValue());
        assertEquals(AnomalyEvent.State.CLOSED, closed.getState());
        assertEquals("cam-2:15", closed.getEventId());
        assertEquals(19, closed.getEndFrameIndex());
        assertFalse(closed.getThumbnailJpeg().isEmpty(), "the peak frame was kept for the closing thumbnail");
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertTrue(events.isEmpty(), "flushed once");
    }

    /** A camera's 20 frames, an event on frames 15..19, the last frame marked as the end of its source. */
    private static List<AlertInputs.Input> endingSource(String camera) throws Exception {
        List<AlertInputs.Input> in = new ArrayList<>(AlertInputs.camera(camera, AlertInputs.ped2Jpegs(20), 0, 20, 15, 19));
        AlertInputs.Input last = in.get(3 * 19);
        in.set(3 * 19, new AlertInputs.Input(last.topic(), last.key(), Frame.parseFrom(last.value()).toBuilder()
                .setEndOfSource(true).build().toByteArray()));
        return in;
    }

    @Test
    void sourceThatEndedIsFlushedWhenItsLastFrameIsScoredNotWhenItLooksIdle() throws Exception {
        List<AlertInputs.Input> in = endingSource("cam-4");
        // The detector is done long before a slow scorer: frames and detections first, scores a minute later.
        pipe(in.stream().filter(i -> !i.topic().equals(Topics.OBJECT_SCORES)).toList());
        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertTrue(frameScores.isEmpty() && events.isEmpty(), "an ended source waits for its scores");
        pipe(in.stream().filter(i -> i.topic().equals(Topics.OBJECT_SCORES)).toList());

        assertEquals(20, frameScores.readValuesToList().size(), "the look-ahead frames too, with no idle wait");
        List<AnomalyEvent> announced = events.readValuesToList().stream().map(AlertTopologyTest::event).toList();
        assertEquals(List.of(AnomalyEvent.State.OPEN, AnomalyEvent.State.CLOSED), announced.stream().map(AnomalyEvent::getState).toList());
        assertEquals(19, announced.get(1).getEndFrameIndex());
        assertFalse(announced.get(1).getThumbnailJpeg().isEmpty());
    }

    @Test
    void sourceThatEndedWithObjectsNeverScoredIsFlushedAfterTheEndOfSourceTimeout() throws Exception {
        List<AlertInputs.Input> in = endingSource("cam-5");
        pipe(in.subList(0, in.size() - 1)); // the last object's score was dropped upstream
        driver.advanceWallClockTime(Duration.ofSeconds(1)); // the first check after the input: idle from here
        driver.advanceWallClockTime(Duration.ofSeconds(100));
        assertTrue(events.readValuesToList().stream().map(AlertTopologyTest::event)
                .noneMatch(e -> e.getState() == AnomalyEvent.State.CLOSED), "still waiting for the last score");
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertEquals(20, frameScores.readValuesToList().size());
        assertEquals(AnomalyEvent.State.CLOSED, event(events.readValue()).getState());
    }

    @Test
    void cameraWithInputSinceTheLastIdleCheckIsNotIdleWhateverItsInputWasDatedTo() throws Exception {
        // Kafka Streams dates input with the stream thread's cached clock, which can lag the punctuation's by
        // seconds; here the next check comes 11 s (> the 10 s idle timeout) after the input's date.
        pipe(AlertInputs.camera("cam-3", AlertInputs.ped2Jpegs(20), 0, 20, 15, 19));
        assertEquals(1, events.readValuesToList().size(), "OPEN");
        driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertTrue(events.isEmpty(), "input since the last check: not idle");
        driver.advanceWallClockTime(Duration.ofSeconds(9));
        assertTrue(events.isEmpty(), "idle counted from that check: 9 s < 10 s");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertEquals(AnomalyEvent.State.CLOSED, event(events.readValue()).getState());
    }

    private List<FrameScore> frameScoresOf(String camera) {
        return frameScores.readRecordsToList().stream().filter(r -> r.key().equals(camera))
                .map(r -> VigilSerdes.FRAME_SCORE.deserializer().parse(r.value(), Topics.FRAME_SCORES)).toList();
    }

    private static byte[] emptyDetections(String camera, long frame) {
        return FrameDetections.newBuilder().setCameraId(camera).setFrameIndex(frame).setWidth(360).setHeight(240).build()
                .toByteArray();
    }

    @Test
    void aFrameIndexJumpOnOneCameraLeavesEveryCameraScoring() throws Exception {
        // Found on a running chain: frames 0 and 200,000,000 of camera "gap" killed the stream thread (OutOfMemoryError
        // filling the gap), and frame scores stopped for every camera.
        inputs.get(Topics.DETECTIONS).pipeInput("gap", emptyDetections("gap", 0));
        inputs.get(Topics.DETECTIONS).pipeInput("gap", emptyDetections("gap", 200_000_000L));
        inputs.get(Topics.DETECTIONS).pipeInput("gap", emptyDetections("gap", 200_000_001L));
        pipe(AlertInputs.camera("cam-1", AlertInputs.ped2Jpegs(30), 0, 30, 10, 14));

        List<FrameScore> cam1 = frameScores.readRecordsToList().stream().filter(r -> r.key().equals("cam-1"))
                .map(r -> VigilSerdes.FRAME_SCORE.deserializer().parse(r.value(), Topics.FRAME_SCORES)).toList();
        assertEquals(30, cam1.size());
        assertEquals(AlertInputs.score(29, 10, 14), cam1.get(29).getRawScore(), 1e-6f);
        assertEquals(2, events.readValuesToList().size(), "cam-1's event opens and closes");
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aRecordThatMakesTheProcessorThrowIsDeadLetteredAndTheStreamGoesOn() throws Exception {
        List<AlertInputs.Input> broken = AlertInputs.camera("broken-rules", AlertInputs.ped2Jpegs(5), 0, 5, 10, 14);
        pipe(broken);
        pipe(AlertInputs.camera("cam-1", AlertInputs.ped2Jpegs(30), 0, 30, 10, 14));

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(5, dead.size(), "the five scores of the camera whose rules fail");
        String reason = new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("zone lookup failed for broken-rules"), reason);
        assertEquals(30, frameScoresOf("cam-1").size());
    }

    @Test
    void aCameraQuietForItsRetentionIsForgotten() throws Exception {
        pipe(AlertInputs.camera("old", AlertInputs.ped2Jpegs(20), 0, 20, 15, 19));
        driver.advanceWallClockTime(Duration.ofSeconds(1)); // the first check after the input: quiet from here
        driver.advanceWallClockTime(Duration.ofSeconds(30)); // idle: flushed, its event closed
        assertEquals(AnomalyEvent.State.CLOSED, event(events.readValuesToList().get(1)).getState());
        assertTrue(driver.getKeyValueStore(AlertTopology.TIMELINES_STORE).get("old") != null, "kept until the retention");
        driver.advanceWallClockTime(Duration.ofHours(1));
        for (String store : new String[] {AlertTopology.TIMELINES_STORE, AlertTopology.PEAKS_STORE, AlertTopology.FRAMES_STORE}) {
            try (var it = driver.<String, byte[]>getKeyValueStore(store).all()) {
                assertFalse(it.hasNext(), store + " still holds " + (it.hasNext() ? it.next().key : ""));
            }
        }
        // Back after its retention, the camera starts afresh.
        pipe(AlertInputs.camera("old", AlertInputs.ped2Jpegs(30), 20, 30, 40, 40));
        frameScores.readRecordsToList();
        assertTrue(driver.getKeyValueStore(AlertTopology.TIMELINES_STORE).get("old") != null);
    }
}
