package io.vigil.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.ProtobufSerde;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class ProtobufSerdeTest {

    static Detection detection() {
        Detection.Builder d = Detection.newBuilder()
                .setBox(Box.newBuilder().setX1(10.5f).setY1(20).setX2(40).setY2(90.25f))
                .setClassId(1)
                .setConfidence(0.87f);
        IntStream.range(0, 80).forEach(i -> d.addClassProbabilities(i == 1 ? 0.87f : i / 1000f));
        return d.build();
    }

    @Test
    void everyMessageRoundTripsThroughItsSerde() {
        Frame frame = Frame.newBuilder().setCameraId("cam-1").setFrameIndex(41).setCaptureTimeMs(1_700_000_000_123L)
                .setWidth(360).setHeight(240).setJpeg(ByteString.copyFrom(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2}))
                .setSource("file:/data/01").setEndOfSource(true).build();
        FrameDetections detections = FrameDetections.newBuilder().setCameraId("cam-1").setFrameIndex(41)
                .setWidth(360).setHeight(240).addDetections(detection()).setDetector("yolox-nano").build();
        byte[] pixels = new byte[7 * 64 * 64 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31);
        }
        ObjectSequence sequence = ObjectSequence.newBuilder().setCameraId("cam-1").setMiddleFrameIndex(41)
                .setObjectIndex(2).setDetection(detection()).setCropSize(64).setSequenceLength(7)
                .addAllFrameIndices(java.util.List.of(38L, 39L, 40L, 41L, 42L, 43L, 43L)).setPadded(true)
                .setPixels(ByteString.copyFrom(pixels)).build();
        ObjectScore score = ObjectScore.newBuilder().setCameraId("cam-1").setMiddleFrameIndex(41).setObjectIndex(2)
                .setDetection(detection()).setArrowOfTime(0.1f).setReconstruction(0.3f).setScore(0.2f)
                .setModelVersion("ssmtl-shallow-narrow@3").build();
        FrameScore frameScore = FrameScore.newBuilder().setCameraId("cam-1").setFrameIndex(41).setRawScore(0.7f)
                .setSmoothedScore(0.6f).setObjectCount(3).build();
        AnomalyEvent event = AnomalyEvent.newBuilder().setEventId("cam-1:30").setCameraId("cam-1")
                .setState(AnomalyEvent.State.UPDATE).setStartFrameIndex(30).setEndFrameIndex(41).setPeakFrameIndex(35)
                .setPeakScore(0.9f).addBoxes(detection()).setThumbnailJpeg(ByteString.copyFromUtf8("jpeg")).build();

        assertRoundTrip(VigilSerdes.FRAME, Topics.FRAMES, frame);
        assertRoundTrip(VigilSerdes.FRAME_DETECTIONS, Topics.DETECTIONS, detections);
        assertRoundTrip(VigilSerdes.OBJECT_SEQUENCE, Topics.SEQUENCES, sequence);
        assertRoundTrip(VigilSerdes.OBJECT_SCORE, Topics.OBJECT_SCORES, score);
        assertRoundTrip(VigilSerdes.FRAME_SCORE, Topics.FRAME_SCORES, frameScore);
        assertRoundTrip(VigilSerdes.ANOMALY_EVENT, Topics.ANOMALY_EVENTS, event);

        assertArrayEquals(pixels, VigilSerdes.OBJECT_SEQUENCE.deserializer()
                .deserialize(Topics.SEQUENCES, VigilSerdes.OBJECT_SEQUENCE.serializer().serialize(Topics.SEQUENCES, sequence))
                .getPixels().toByteArray());
    }

    @Test
    void absentTaskScoresStayAbsent() {
        ObjectScore score = ObjectScore.newBuilder().setCameraId("c").setArrowOfTime(0f).build();
        ObjectScore back = VigilSerdes.OBJECT_SCORE.deserializer().deserialize("t",
                VigilSerdes.OBJECT_SCORE.serializer().serialize("t", score));
        assertTrue(back.hasArrowOfTime(), "a zero score that was set is present");
        assertFalse(back.hasMotionIrregularity());
        assertFalse(back.hasReconstruction());
        assertFalse(back.hasDistillation());
    }

    @Test
    void classNamedDeserializersMatchTheSerdes() throws Exception {
        Frame frame = Frame.newBuilder().setCameraId("cam-9").setFrameIndex(3).build();
        @SuppressWarnings("unchecked")
        Deserializer<Frame> byName = (Deserializer<Frame>) Class
                .forName(VigilSerdes.FrameDeserializer.class.getName()).getDeclaredConstructor().newInstance();
        assertEquals(frame, byName.deserialize(Topics.FRAMES, frame.toByteArray()));
    }

    @Test
    void garbageIsAClearErrorNamingTopicAndType() {
        byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02};
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> VigilSerdes.FRAME.deserializer().deserialize(Topics.FRAMES, garbage));
        assertTrue(e.getMessage().contains("vigil.v1.Frame"), e.getMessage());
        assertTrue(e.getMessage().contains(Topics.FRAMES), e.getMessage());
        assertTrue(e.getMessage().contains("5 bytes"), e.getMessage());
    }

    @Test
    void emptyPayloadIsRejectedNotParsedAsADefaultMessage() {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> VigilSerdes.FRAME_DETECTIONS.deserializer().deserialize(Topics.DETECTIONS, new byte[0]));
        assertTrue(e.getMessage().contains("Empty payload"), e.getMessage());
    }

    @Test
    void tombstoneStaysNull() {
        assertNull(VigilSerdes.FRAME.deserializer().deserialize(Topics.FRAMES, null));
        assertNull(VigilSerdes.FRAME.serializer().serialize(Topics.FRAMES, null));
    }

    @Test
    void recordParseNamesPartitionAndOffset() {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(Topics.SEQUENCES, 3, 1234L, "cam", new byte[] {0x0A, 0x7F});
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> VigilSerdes.OBJECT_SEQUENCE.parse(record));
        assertTrue(e.getMessage().contains("topic vigil.sequences partition 3 offset 1234"), e.getMessage());
    }

    @Test
    void defaultTopicsAreCoPartitionedWhereJoined() {
        int frames = Topics.DEFAULTS.stream().filter(t -> t.name().equals(Topics.FRAMES)).findFirst().orElseThrow().partitions();
        int detections = Topics.DEFAULTS.stream().filter(t -> t.name().equals(Topics.DETECTIONS)).findFirst().orElseThrow().partitions();
        assertEquals(frames, detections, "the sequence assembler joins frames with detections per camera");
        assertThrows(IllegalArgumentException.class, () -> new Topics.TopicSpec("x", 0));
    }

    private static <T extends Message> void assertRoundTrip(ProtobufSerde<T> serde, String topic, T message) {
        byte[] bytes = serde.serializer().serialize(topic, message);
        assertTrue(bytes.length > 0);
        assertEquals(message, serde.deserializer().deserialize(topic, bytes));
    }
}
