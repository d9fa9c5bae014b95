package io.vigil.proto;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.proto.v1.Review;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MessageChecksTest {

    private static final Detection PERSON = Detection.newBuilder()
            .setBox(Box.newBuilder().setX1(10).setY1(20).setX2(50).setY2(120))
            .setClassId(0).setConfidence(0.9f).addAllClassProbabilities(Collections.nCopies(80, 0.01f)).build();

    private static final Frame FRAME = Frame.newBuilder().setCameraId("cam-1").setFrameIndex(7).setWidth(360).setHeight(240)
            .setJpeg(ByteString.copyFromUtf8("jpeg")).build();
    private static final FrameDetections DETECTIONS = FrameDetections.newBuilder().setCameraId("cam-1").setFrameIndex(7)
            .setWidth(360).setHeight(240).addDetections(PERSON).build();
    private static final ObjectScore SCORE = ObjectScore.newBuilder().setCameraId("cam-1").setMiddleFrameIndex(7)
            .setObjectIndex(0).setDetection(PERSON).setScore(0.4f).setFrameWidth(360).setFrameHeight(240).build();
    private static final ObjectSequence SEQUENCE = ObjectSequence.newBuilder().setCameraId("cam-1").setMiddleFrameIndex(7)
            .setObjectIndex(0).setDetection(PERSON).setCropSize(64).setSequenceLength(7)
            .addAllFrameIndices(java.util.List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L))
            .setPixels(ByteString.copyFrom(new byte[7 * 64 * 64 * 3])).setFrameWidth(360).setFrameHeight(240).build();

    private static void rejected(String expectedInMessage, Executable check) {
        var e = assertThrows(MessageChecks.InvalidMessageException.class, check);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    private static Detection box(float x1, float y1, float x2, float y2) {
        return PERSON.toBuilder().setBox(Box.newBuilder().setX1(x1).setY1(y1).setX2(x2).setY2(y2)).build();
    }

    private static FrameDetections withDetection(Detection d) {
        return DETECTIONS.toBuilder().clearDetections().addDetections(d).build();
    }

    @Test
    void wellFormedMessagesPass() {
        assertDoesNotThrow(() -> MessageChecks.frame("cam-1", FRAME));
        assertDoesNotThrow(() -> MessageChecks.detections("cam-1", DETECTIONS));
        assertDoesNotThrow(() -> MessageChecks.objectScore("cam-1", SCORE));
        assertDoesNotThrow(() -> MessageChecks.sequence("cam-1", SEQUENCE));
        // A box reaching past the edge is clipped by the crops; a class-agnostic (motion) box has class -1.
        assertDoesNotThrow(() -> MessageChecks.detections("cam-1", withDetection(box(-5, -5, 400, 300))));
        assertDoesNotThrow(() -> MessageChecks.detections("cam-1", withDetection(box(1, 1, 9, 9).toBuilder().setClassId(-1)
                .clearClassProbabilities().setConfidence(1f).build())));
        assertDoesNotThrow(() -> MessageChecks.detections("cam-1", DETECTIONS.toBuilder().clearDetections().build()));
    }

    @Test
    void recordsMustBeKeyedByTheirCamera() {
        rejected("record key 'cam-2' is not the camera id 'cam-1'", () -> MessageChecks.frame("cam-2", FRAME));
        rejected("record key null", () -> MessageChecks.objectScore(null, SCORE));
        rejected("without camera id", () -> MessageChecks.frame("", FRAME.toBuilder().setCameraId("").build()));
        String longId = "c".repeat(MessageChecks.MAX_CAMERA_ID_LENGTH + 1);
        rejected("longer than", () -> MessageChecks.frame(longId, FRAME.toBuilder().setCameraId(longId).build()));
        rejected("control characters", () -> MessageChecks.frame("a\nb", FRAME.toBuilder().setCameraId("a\nb").build()));
        rejected("negative frame index", () -> MessageChecks.detections("cam-1", DETECTIONS.toBuilder().setFrameIndex(-1).build()));
        // Found by the hostile-input test: an index near Long.MAX_VALUE overflowed the smoothing's look-ahead.
        rejected("is beyond", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder().setMiddleFrameIndex(Long.MAX_VALUE - 3)
                .build()));
        assertDoesNotThrow(() -> MessageChecks.objectScore("cam-1", SCORE.toBuilder()
                .setMiddleFrameIndex(MessageChecks.MAX_FRAME_INDEX).build()));
    }

    @Test
    void frameSizesAreBoundedSoNoConsumerAllocatesABomb() {
        rejected("0x240", () -> MessageChecks.frame("cam-1", FRAME.toBuilder().setWidth(0).build()));
        rejected("16385x240", () -> MessageChecks.frame("cam-1", FRAME.toBuilder().setWidth(16_385).build()));
        // Sides within limits, area over it: 16384 x 16384 = 268 M pixels.
        rejected("16384x16384", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder().setFrameWidth(16_384)
                .setFrameHeight(16_384).build()));
        rejected("-1x", () -> MessageChecks.detections("cam-1", DETECTIONS.toBuilder().setWidth(-1).build()));
        rejected("has no image", () -> MessageChecks.frame("cam-1", FRAME.toBuilder().setJpeg(ByteString.EMPTY).build()));
        var many = DETECTIONS.toBuilder().addAllDetections(Collections.nCopies(MessageChecks.MAX_DETECTIONS_PER_FRAME, PERSON));
        rejected("1001 detections", () -> MessageChecks.detections("cam-1", many.build()));
    }

    @Test
    void boxesMustBeFiniteNonEmptyAndOverlapTheFrame() {
        rejected("is not a box", () -> MessageChecks.detections("cam-1", withDetection(box(Float.NaN, 0, 10, 10))));
        rejected("is not a box", () -> MessageChecks.detections("cam-1", withDetection(box(0, 0, Float.POSITIVE_INFINITY, 10))));
        rejected("is not a box", () -> MessageChecks.detections("cam-1", withDetection(box(50, 20, 10, 120))));
        rejected("is not a box", () -> MessageChecks.detections("cam-1", withDetection(box(10, 20, 10, 120))));
        rejected("outside the 360x240 frame", () -> MessageChecks.detections("cam-1", withDetection(box(360, 0, 400, 10))));
        rejected("outside the 360x240 frame", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder()
                .setDetection(box(-50, -50, 0, 0)).build()));
        rejected("outside", () -> MessageChecks.sequence("cam-1", SEQUENCE.toBuilder().setDetection(box(0, 300, 10, 310)).build()));
    }

    @Test
    void probabilitiesAndScoresAreNumbersInRange() {
        rejected("confidence 1.5", () -> MessageChecks.detections("cam-1", withDetection(PERSON.toBuilder().setConfidence(1.5f).build())));
        rejected("class probability 3 is NaN", () -> MessageChecks.detections("cam-1", withDetection(PERSON.toBuilder()
                .setClassProbabilities(3, Float.NaN).build())));
        rejected("class 80 of 80", () -> MessageChecks.detections("cam-1", withDetection(PERSON.toBuilder().setClassId(80).build())));
        rejected("class -2 of 0", () -> MessageChecks.detections("cam-1", withDetection(PERSON.toBuilder().setClassId(-2)
                .clearClassProbabilities().build())));
        rejected("is NaN", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder().setScore(Float.NaN).build()));
        rejected("negative object index", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder().setObjectIndex(-1).build()));
        assertDoesNotThrow(() -> MessageChecks.objectScore("cam-1", SCORE.toBuilder().putCueSurprises("speed", 2.5f)
                .putCueSurprises("distillation", -0.3f).build()));
        rejected("cue 'speed' = NaN", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder()
                .putCueSurprises("speed", Float.NaN).build()));
        rejected("cue 'Speed%0A' = 1.0", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder()
                .putCueSurprises("Speed\n", 1f).build()));
    }

    @Test
    void sequenceLengthsMustAgree() {
        rejected("6 frame indices for 7 crops", () -> MessageChecks.sequence("cam-1", SEQUENCE.toBuilder().clearFrameIndices()
                .addAllFrameIndices(java.util.List.of(1L, 2L, 3L, 4L, 5L, 6L)).build()));
        rejected("86015 pixel bytes, expected 86016", () -> MessageChecks.sequence("cam-1", SEQUENCE.toBuilder()
                .setPixels(ByteString.copyFrom(new byte[7 * 64 * 64 * 3 - 1])).build()));
        rejected("7 crops of 100000 px", () -> MessageChecks.sequence("cam-1", SEQUENCE.toBuilder().setCropSize(100_000).build()));
        rejected("0 crops", () -> MessageChecks.sequence("cam-1", SEQUENCE.toBuilder().setSequenceLength(0).build()));
    }

    private static final AnomalyEvent OPEN = AnomalyEvent.newBuilder().setEventId("入口:96").setCameraId("入口")
            .setState(AnomalyEvent.State.OPEN).setStartFrameIndex(96).setEndFrameIndex(101).setPeakFrameIndex(99)
            .setPeakScore(4.5f).build();

    @Test
    void eventsAreCheckedLikeEveryOtherMessage() {
        assertDoesNotThrow(() -> MessageChecks.anomalyEvent("入口", OPEN));
        Review review = Review.newBuilder().setAction(Review.Action.RESOLVED).setBy("operator").setTimeMs(1).build();
        assertDoesNotThrow(() -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().setState(AnomalyEvent.State.REVIEWED)
                .setReview(review).build()));
        rejected("peak score NaN", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().setPeakScore(Float.NaN).build()));
        rejected("peak score Infinity", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder()
                .setPeakScore(Float.POSITIVE_INFINITY).build()));
        rejected("not camera:startFrame", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().setEventId("x:1").build()));
        rejected("not one of", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().setStateValue(9).build()));
        rejected("peak inside", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().setPeakFrameIndex(200).build()));
        rejected("REVIEWED without a review", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder()
                .setState(AnomalyEvent.State.REVIEWED).build()));
        rejected("OPEN with a review", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().setReview(review).build()));
        rejected("named operator", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder()
                .setState(AnomalyEvent.State.REVIEWED).setReview(review.toBuilder().clearBy()).build()));
        rejected("record key", () -> MessageChecks.anomalyEvent("cam-1", OPEN));
        assertDoesNotThrow(() -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().setCause("speed").putCueShares("speed", 0.7f)
                .putCueShares("distillation", 0.3f).build()));
        rejected("cause 'speed' is not one of its cues", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder()
                .setCause("speed").putCueShares("distillation", 1f).build()));
        rejected("cue 'speed' = -1.0", () -> MessageChecks.anomalyEvent("入口", OPEN.toBuilder().putCueShares("speed", -1f).build()));
    }

    @Test
    void frameScoresAreFinite() {
        FrameScore score = FrameScore.newBuilder().setCameraId("cam-1").setFrameIndex(3).setRawScore(1).setSmoothedScore(1)
                .build();
        assertDoesNotThrow(() -> MessageChecks.frameScore("cam-1", score));
        rejected("not finite", () -> MessageChecks.frameScore("cam-1", score.toBuilder().setSmoothedScore(Float.NaN).build()));
        rejected("-1 objects", () -> MessageChecks.frameScore("cam-1", score.toBuilder().setObjectCount(-1).build()));
        rejected("record key null", () -> MessageChecks.frameScore(null, score));
    }

    @Test
    void objectIndicesAreBoundedByTheDetectionsOfAFrame() {
        rejected("object index 1000", () -> MessageChecks.objectScore("cam-1", SCORE.toBuilder().setObjectIndex(1000).build()));
        rejected("negative object index", () -> MessageChecks.sequence("cam-1", SEQUENCE.toBuilder().setObjectIndex(-1).build()));
    }
}
