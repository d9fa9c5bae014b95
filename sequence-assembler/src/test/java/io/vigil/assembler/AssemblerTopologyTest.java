package io.vigil.assembler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.kafka.RecordTracing;
import io.vigil.common.scoring.CameraModels;
import io.vigil.common.scoring.ScoringModel;
import io.vigil.common.scoring.SequenceScoring;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.scoring.TinySsmtlModel;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.image.CropBox;
import io.vigil.vision.image.Crops;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembler topology with TopologyTestDriver: ordering, interleaving, gaps, padding, timeouts, bad input. */
class AssemblerTopologyTest {

    static final int T = 2;
    static final int W = 96;
    static final int H = 64;
    static final ImageCodec CODEC = new ImageCodec();

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> frames;
    TestInputTopic<String, byte[]> detections;
    TestOutputTopic<String, byte[]> sequences;
    TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "assembler-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        SequenceBuilder builder = new SequenceBuilder(new SequenceSettings(T, 16, 1f, 2f));
        driver = new TopologyTestDriver(AssemblerTopology.build(builder, Duration.ofSeconds(5), Duration.ofSeconds(1), 40,
                AssemblerMetrics.NONE), props);
        frames = driver.createInputTopic(Topics.FRAMES, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        detections = driver.createInputTopic(Topics.DETECTIONS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        sequences = driver.createOutputTopic(Topics.SEQUENCES, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER, Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** A frame whose pixels encode the frame index (green = 10 * index), so crops show where they came from. */
    static RgbImage image(long index) {
        byte[] px = new byte[W * H * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = (byte) (10 * index);
            px[i + 2] = (byte) 40;
        }
        return new RgbImage(W, H, px);
    }

    void frame(String camera, long index, boolean last) {
        frames.pipeInput(camera, Frame.newBuilder().setCameraId(camera).setFrameIndex(index).setWidth(W).setHeight(H)
                .setJpeg(ByteString.copyFrom(CODEC.encodeJpeg(image(index), 95))).setEndOfSource(last).build().toByteArray());
    }

    void frames(String camera, long from, long to, boolean lastEnds) {
        for (long i = from; i <= to; i++) {
            frame(camera, i, lastEnds && i == to);
        }
    }

    void detection(String camera, long index, float... box) {
        FrameDetections.Builder d = FrameDetections.newBuilder().setCameraId(camera).setFrameIndex(index).setWidth(W)
                .setHeight(H).setCaptureTimeMs(5000 + index);
        for (int k = 0; k + 3 < box.length; k += 4) {
            d.addDetections(Detection.newBuilder().setBox(Box.newBuilder().setX1(box[k]).setY1(box[k + 1])
                    .setX2(box[k + 2]).setY2(box[k + 3])).setClassId(0).setConfidence(0.9f));
        }
        detections.pipeInput(camera, d.build().toByteArray());
    }

    List<ObjectSequence> sequences() throws Exception {
        List<ObjectSequence> out = new ArrayList<>();
        for (TestRecord<String, byte[]> r : sequences.readRecordsToList()) {
            ObjectSequence s = ObjectSequence.parseFrom(r.value());
            assertEquals(s.getCameraId(), r.key(), "keyed by camera");
            out.add(s);
        }
        return out;
    }

    static int green(ObjectSequence s, int t) {
        return s.getPixels().byteAt(t * 16 * 16 * 3 + 8 * 16 * 3 + 8 * 3 + 1) & 0xFF;
    }

    @Test
    void framesFirstThenDetectionsGiveOneSequencePerDetectionWithEdgePadding() throws Exception {
        frames("cam", 0, 9, true);
        for (int i = 0; i < 10; i++) {
            detection("cam", i, 10, 10, 40, 50);
        }
        List<ObjectSequence> out = sequences();
        assertEquals(10, out.size());
        assertEquals(List.of(0L, 0L, 0L, 1L, 2L), out.get(0).getFrameIndicesList());
        assertTrue(out.get(0).getPadded());
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), out.get(5).getFrameIndicesList());
        assertFalse(out.get(5).getPadded());
        assertEquals(List.of(7L, 8L, 9L, 9L, 9L), out.get(9).getFrameIndicesList(), "end of source pads the end");
        ObjectSequence s = out.get(5);
        assertEquals(5, s.getSequenceLength());
        assertEquals(16, s.getCropSize());
        assertEquals(5005, s.getCaptureTimeMs());
        for (int t = 0; t < 5; t++) {
            assertEquals(10 * (3 + t), green(s, t), 3, "crop " + t + " comes from frame " + (3 + t));
        }
        // The first crop equals the crop of the decoded JPEG of frame 3.
        RgbImage decoded = CODEC.decode(CODEC.encodeJpeg(image(3), 95));
        assertArrayEquals(Crops.cropResize(decoded, new CropBox(10, 10, 40, 50), 16).pixels(),
                s.getPixels().substring(0, 16 * 16 * 3).toByteArray());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void detectionsBeforeTheirFramesWaitUntilTheWindowIsThere() throws Exception {
        for (int i = 0; i < 6; i++) {
            detection("cam", i, 10, 10, 40, 50);
        }
        assertTrue(sequences.isEmpty());
        frame("cam", 0, false);
        frame("cam", 1, false);
        assertTrue(sequences.isEmpty(), "frame 0 needs frames up to 2");
        frame("cam", 2, false);
        assertEquals(List.of(0L), sequences().stream().map(ObjectSequence::getMiddleFrameIndex).toList());
        frame("cam", 3, false);
        frame("cam", 4, false);
        assertEquals(List.of(1L, 2L), sequences().stream().map(ObjectSequence::getMiddleFrameIndex).toList());
        frame("cam", 5, true);
        assertEquals(List.of(3L, 4L, 5L), sequences().stream().map(ObjectSequence::getMiddleFrameIndex).toList());
    }

    @Test
    void aLostFrameIsPaddedAndADetectionOfALostFrameIsADeadLetter() throws Exception {
        frames("cam", 0, 3, false);
        frames("cam", 5, 9, true); // frame 4 lost (e.g. corrupt at ingest)
        detection("cam", 4, 10, 10, 40, 50);
        detection("cam", 5, 10, 10, 40, 50);
        List<ObjectSequence> out = sequences();
        assertEquals(1, out.size());
        assertEquals(List.of(3L, 5L, 5L, 6L, 7L), out.get(0).getFrameIndicesList());
        assertTrue(out.get(0).getPadded());
        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertTrue(header(dead, DeadLetterHeaders.REASON).contains("frame 4 of camera cam"), header(dead, DeadLetterHeaders.REASON));
    }

    @Test
    void aDetectionWaitsAtMostMaxWaitThenIsPadded() throws Exception {
        frames("cam", 0, 5, false);
        detection("cam", 5, 10, 10, 40, 50);
        assertTrue(sequences.isEmpty(), "frames 6 and 7 may still come");
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertTrue(sequences.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertTrue(sequences.isEmpty(), "the wait counts from the first check after the detection arrived: 3 s");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        List<ObjectSequence> out = sequences();
        assertEquals(1, out.size());
        assertEquals(List.of(3L, 4L, 5L, 5L, 5L), out.get(0).getFrameIndicesList());
    }

    @Test
    void manyCamerasInterleavedStaySeparate() throws Exception {
        String[] cams = {"north", "south", "gate"};
        for (int i = 0; i < 6; i++) {
            for (String c : cams) {
                frame(c, i, i == 5);
            }
        }
        for (int i = 0; i < 6; i++) {
            for (String c : cams) {
                detection(c, i, 5, 5, 30, 30, 50, 10, 90, 60); // two objects per frame
            }
        }
        List<ObjectSequence> out = sequences();
        assertEquals(3 * 6 * 2, out.size());
        for (String c : cams) {
            List<ObjectSequence> mine = out.stream().filter(s -> s.getCameraId().equals(c)).toList();
            assertEquals(12, mine.size());
            assertEquals(List.of(0, 1), mine.subList(0, 2).stream().map(ObjectSequence::getObjectIndex).toList());
            assertTrue(mine.stream().allMatch(s -> s.getFrameIndicesList().stream().allMatch(i -> Math.abs(i
                    - s.getMiddleFrameIndex()) <= T)));
        }
    }

    @Test
    void badInputGoesToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        frames.pipeInput("cam", new byte[] {0x0A, (byte) 0xFF, 0x01}); // not a Frame
        frames.pipeInput("cam", Frame.newBuilder().setCameraId("cam").setFrameIndex(0).setWidth(W).setHeight(H)
                .setJpeg(ByteString.copyFrom(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2})).build().toByteArray());
        frames("cam", 1, 4, true);
        detection("cam", 0, 10, 10, 40, 50); // frame 0 cannot be decoded
        detection("cam", 2, 200, 10, 260, 50); // outside the 96x64 frame
        detection("cam", 3, 10, 10, 40, 50);
        List<ObjectSequence> out = sequences();
        assertEquals(1, out.size(), "only the good detection");
        assertEquals(3, out.get(0).getMiddleFrameIndex());
        List<String> reasons = deadLetters.readRecordsToList().stream().map(r -> header(r, DeadLetterHeaders.REASON)).toList();
        assertEquals(3, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).contains("vigil.v1.Frame"), reasons.get(0));
        assertTrue(reasons.get(1).contains("cannot be decoded"), reasons.get(1));
        assertTrue(reasons.get(2).contains("outside"), reasons.get(2));
    }

    @Test
    void oldFramesAreEvictedOnceNoWindowNeedsThem() throws Exception {
        for (int i = 0; i < 100; i++) {
            frame("cam", i, false);
            if (i >= 5) {
                detection("cam", i - 5, 10, 10, 40, 50); // the detector lags five frames behind
            }
        }
        assertEquals(95, sequences().size());
        assertTrue(deadLetters.isEmpty());
        // The next detection (95) needs frames from 93 on: 93..99 are kept.
        assertEquals(7, storedFrames());
    }

    @Test
    void aDetectorLaggingBeyondTheCapLosesItsFramesLoudly() throws Exception {
        frames("cam", 0, 99, false);
        assertEquals(40, storedFrames(), "at most max-frames-per-camera frames are kept");
        detection("cam", 10, 10, 10, 40, 50);
        assertTrue(sequences.isEmpty());
        assertTrue(header(deadLetters.readRecord(), DeadLetterHeaders.REASON).contains("evicted"));
    }

    @Test
    void aCameraQuietForItsRetentionIsForgotten() throws Exception {
        frames("quiet", 0, 9, false);
        frames("busy", 0, 9, false);
        driver.advanceWallClockTime(Duration.ofHours(12));
        frames("busy", 10, 19, false);
        assertEquals(30, storedFrames(), "kept within the retention");
        driver.advanceWallClockTime(Duration.ofHours(13));
        assertEquals(20, storedFrames(), "the quiet camera's frames are gone, the busy one's are not");
        assertEquals(null, driver.getKeyValueStore(AssemblerTopology.CAMERAS_STORE).get("quiet"));
        assertTrue(driver.getKeyValueStore(AssemblerTopology.CAMERAS_STORE).get("busy") != null);
    }

    @Test
    void frameIndicesAtTheEndOfTheRangeAreHarmless() throws Exception {
        // Hostile indices: a window i-t..i+t that would overflow (dead-lettered), under a camera of its own.
        frame("edge", Long.MAX_VALUE, false);
        detection("edge", Long.MAX_VALUE, 10, 10, 40, 50);
        detection("edge", Long.MAX_VALUE - 1, 10, 10, 40, 50);
        frames("cam", 0, 9, true);
        detection("cam", 4, 10, 10, 40, 50);
        assertEquals(1, sequences().stream().filter(s -> s.getCameraId().equals("cam")).count(), "other cameras go on");
        assertEquals(3, deadLetters.readRecordsToList().size(), "the three records beyond the largest frame index");
    }

    private long storedFrames() {
        long stored = 0;
        try (var it = driver.<String, byte[]>getKeyValueStore(AssemblerTopology.FRAMES_STORE).all()) {
            while (it.hasNext()) {
                it.next();
                stored++;
            }
        }
        return stored;
    }

    private static String header(TestRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void scoringInThisProcessSendsEachObjectsScoreAndNoSequence() throws Exception {
        Path model = TinySsmtlModel.write(stateDir.resolve("default.onnx"), 2 * T + 1, 16, 0.7f, 0.1f, Map.of());
        ModelRegistry registry = new ModelRegistry(stateDir.resolve("registry"));
        // cam-b's own model takes other crops: its objects get dead letters, cam-a's are scored.
        registry.register("cam-b", TinySsmtlModel.write(stateDir.resolve("b.onnx"), 2 * T + 1, 8, 0.4f, 0.1f, Map.of()),
                ModelDescriptor.getDefaultInstance(), true);
        java.util.function.Function<ScoringModel.Source, ScoringModel> loader = source -> new ScoringModel(source,
                OnnxSessionFactory.Options.cpu(1), null, TaskCalibration.Mode.NONE);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "assembler-scoring-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("scoring").toString());
        try (CameraModels models = new CameraModels(loader.apply(ScoringModel.file(model)), Optional.of(registry), 2, loader);
                TopologyTestDriver scoringDriver = new TopologyTestDriver(AssemblerTopology.build(
                        new SequenceBuilder(new SequenceSettings(T, 16, 1f, 2f)),
                        Optional.of(new SequenceScoring(models, nanos -> { })), Duration.ofSeconds(5), Duration.ofSeconds(1),
                        40, Duration.ofHours(1), AssemblerMetrics.NONE, RecordTracing.OFF), props)) {
            // The same input to both topologies: the split one's sequences, scored here, are what the other sends.
            for (TopologyTestDriver d : List.of(driver, scoringDriver)) {
                var in = d.createInputTopic(Topics.FRAMES, Serdes.String().serializer(), Serdes.ByteArray().serializer());
                var dets = d.createInputTopic(Topics.DETECTIONS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
                frames = in;
                detections = dets;
                for (String camera : List.of("cam-a", "cam-b")) {
                    frames(camera, 0, 6, true);
                    detection(camera, 3, 10, 10, 40, 50, 50, 5, 90, 60);
                }
            }
            List<ObjectSequence> split = sequences();
            assertEquals(4, split.size());
            List<ObjectScore> expected = new ArrayList<>();
            for (SequenceScoring.Outcome o : new SequenceScoring(models, nanos -> { }).score(split.subList(0, 2))) {
                expected.add(((SequenceScoring.Scored) o).score());
            }
            var scores = scoringDriver.createOutputTopic(Topics.OBJECT_SCORES, Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer()).readRecordsToList();
            List<ObjectScore> got = new ArrayList<>();
            for (TestRecord<String, byte[]> r : scores) {
                assertEquals("cam-a", r.key());
                got.add(ObjectScore.parseFrom(r.value()));
            }
            assertEquals(expected, got, "cam-a's two objects, scored as the anomaly-scorer scores their sequences");
            assertEquals(0.7f, got.get(0).getArrowOfTime(), 1e-6);
            assertTrue(scoringDriver.createOutputTopic(Topics.SEQUENCES, Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer()).isEmpty(), "no sequence reaches the broker");
            var dead = scoringDriver.createOutputTopic(Topics.DEAD_LETTER, Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer()).readRecordsToList();
            assertEquals(2, dead.size(), "cam-b's two objects");
            assertTrue(header(dead.get(0), DeadLetterHeaders.REASON).contains("model cam-b/v1@"),
                    header(dead.get(0), DeadLetterHeaders.REASON));
        }
    }
}
