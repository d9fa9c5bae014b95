package io.vigil.common.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.common.scoring.TemporalSmoother;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectScore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertTimelineTest {

    private static final EventDetector.Settings EVENTS = new EventDetector.Settings(0.5f, 0.3f, 3, 2, 0);

    private static Detection box(float x1) {
        return Detection.newBuilder().setBox(Box.newBuilder().setX1(x1).setY1(10).setX2(x1 + 20).setY2(50)).setClassId(0)
                .setConfidence(0.9f).addClassProbabilities(0.9f).build();
    }

    private static FrameDetections detections(long frame, int objects) {
        FrameDetections.Builder b = FrameDetections.newBuilder().setCameraId("cam").setFrameIndex(frame)
                .setCaptureTimeMs(1000 + frame * 100).setWidth(360).setHeight(240);
        for (int i = 0; i < objects; i++) {
            b.addDetections(box(20 + 40 * i));
        }
        return b.build();
    }

    private static ObjectScore score(long frame, int object, float score) {
        return ObjectScore.newBuilder().setCameraId("cam").setMiddleFrameIndex(frame).setObjectIndex(object)
                .setDetection(box(20 + 40 * object)).setScore(score).setCaptureTimeMs(1000 + frame * 100).setFrameWidth(360)
                .setFrameHeight(240).build();
    }

    /** Inputs of frames 0..19, one object each, score 0.9 on frames 5..9 and 0.1 elsewhere. */
    private static List<Object> spikeInputs() {
        List<Object> inputs = new ArrayList<>();
        for (long f = 0; f < 20; f++) {
            inputs.add(detections(f, 1));
            inputs.add(score(f, 0, f >= 5 && f <= 9 ? 0.9f : 0.1f));
        }
        return inputs;
    }

    private static void feed(AlertTimeline t, List<Object> inputs, List<AlertTimeline.FrameResult> frames,
            List<AlertTimeline.Announcement> events) {
        for (Object in : inputs) {
            AlertTimeline.Output o = in instanceof AlertTimeline.Output given ? given
                    : in instanceof FrameDetections d ? t.onDetections(d) : t.onObjectScore((ObjectScore) in);
            frames.addAll(o.frames());
            events.addAll(o.announcements());
        }
    }

    @Test
    void spikeBecomesOneEventWithExactBoundsAndPeakBox() {
        AlertTimeline t = new AlertTimeline("cam", new AlertTimeline.Settings(0, 0, 5, EVENTS));
        List<AlertTimeline.FrameResult> frames = new ArrayList<>();
        List<AlertTimeline.Announcement> events = new ArrayList<>();
        feed(t, spikeInputs(), frames, events);

        assertEquals(20, frames.size(), "every complete frame is final at once without smoothing");
        for (int f = 0; f < 20; f++) {
            assertEquals(f, frames.get(f).frameIndex());
            assertEquals(f >= 5 && f <= 9 ? 0.9f : 0.1f, frames.get(f).smoothedScore(), 1e-6f);
            assertEquals(1000 + f * 100, frames.get(f).captureTimeMs());
        }
        assertEquals(2, events.size(), events.toString());
        EventDetector.Event open = events.get(0).event();
        assertEquals(EventDetector.State.OPEN, open.state());
        assertEquals("cam:5", open.id());
        assertEquals(5, open.startFrame());
        assertEquals(7, open.endFrame(), "announced once it lasted the minimum duration of 3 frames");
        assertEquals(5, open.peakFrame());
        EventDetector.Event closed = events.get(1).event();
        assertEquals(EventDetector.State.CLOSED, closed.state());
        assertEquals("cam:5", closed.id());
        assertEquals(9, closed.endFrame());
        assertEquals(1, events.get(1).peakObjects().size());
        assertEquals(20f, events.get(1).peakObjects().get(0).getDetection().getBox().getX1());
        assertEquals(0, events.get(1).peakObjects().get(0).getDetection().getClassProbabilitiesCount(),
                "class probabilities are not kept in the state");
        assertTrue(t.flush().announcements().isEmpty());
    }

    @Test
    void framePaintsTheHighestObjectAndWaitsForAllItsObjects() {
        AlertTimeline t = new AlertTimeline("cam", new AlertTimeline.Settings(0, 0, 5, EVENTS));
        assertTrue(t.onDetections(detections(0, 2)).frames().isEmpty());
        assertTrue(t.onObjectScore(score(0, 1, 0.2f)).frames().isEmpty(), "one of two objects scored: not final");
        assertTrue(t.onObjectScore(score(0, 1, 0.2f)).frames().isEmpty(), "a duplicate score does not complete it");
        List<AlertTimeline.FrameResult> f = t.onObjectScore(score(0, 0, 0.4f)).frames();
        assertEquals(1, f.size());
        assertEquals(0.4f, f.get(0).rawScore());
        assertEquals(2, f.get(0).objects());
        // A frame without objects is final at once, with score 0.
        f = t.onDetections(detections(1, 0)).frames();
        assertEquals(1, f.size());
        assertEquals(0f, f.get(0).rawScore());
        assertEquals(0, t.onObjectScore(score(0, 0, 0.9f)).frames().size(), "late score for a final frame is ignored");
        assertEquals(1, t.lateInputs());
    }

    @Test
    void objectThatNeverGetsAScoreIsGivenUpAfterTheCompletionHorizon() {
        AlertTimeline t = new AlertTimeline("cam", new AlertTimeline.Settings(0, 0, 3, EVENTS));
        t.onDetections(detections(0, 2));
        t.onObjectScore(score(0, 0, 0.25f)); // object 1 of frame 0 was dropped upstream
        for (long f = 1; f <= 2; f++) {
            t.onDetections(detections(f, 1));
            assertTrue(t.onObjectScore(score(f, 0, 0.1f)).frames().isEmpty(), "frame 0 holds back frame " + f);
        }
        t.onDetections(detections(3, 1));
        List<AlertTimeline.FrameResult> f = t.onObjectScore(score(3, 0, 0.1f)).frames();
        assertEquals(List.of(0L, 1L, 2L, 3L), f.stream().map(AlertTimeline.FrameResult::frameIndex).toList());
        assertEquals(0.25f, f.get(0).rawScore());
    }

    @Test
    void smoothingDelaysByTheLookaheadAndFlushClosesTheEvent() {
        AlertTimeline t = new AlertTimeline("cam", new AlertTimeline.Settings(1.0, 2, 5, EVENTS));
        assertEquals(2, t.lookahead());
        List<AlertTimeline.FrameResult> frames = new ArrayList<>();
        List<AlertTimeline.Announcement> events = new ArrayList<>();
        List<Object> inputs = spikeInputs().subList(0, 2 * 9); // frames 0..8: the event is still running
        feed(t, inputs, frames, events);
        assertEquals(7, frames.size(), "frames 0..6 smoothed, 7 and 8 wait for their look-ahead");
        float[] raw = new float[9];
        for (int f = 0; f < 9; f++) {
            raw[f] = f >= 5 ? 0.9f : 0.1f;
        }
        float[] expected = TemporalSmoother.smoothAll(raw, 1.0, 2);
        AlertTimeline.Output end = t.flush();
        frames.addAll(end.frames());
        events.addAll(end.announcements());
        assertEquals(9, frames.size());
        for (int f = 0; f < 9; f++) {
            assertEquals(expected[f], frames.get(f).smoothedScore(), 1e-6f, "frame " + f);
        }
        // Smoothed: 0.661 (5), 0.876 (6), 0.9 (7, 8): open at 5, announced at 7 (3 frames), peak 7 (8 only ties).
        assertEquals(List.of(EventDetector.State.OPEN, EventDetector.State.CLOSED),
                events.stream().map(a -> a.event().state()).toList());
        assertEquals(5, events.get(0).event().startFrame());
        assertEquals(7, events.get(0).event().peakFrame());
        assertEquals(8, events.get(1).event().endFrame());
        assertTrue(!t.hasWork());
    }

    @Test
    void endOfSourceFlushesOnceTheLastFrameIsFinalHoweverLateItsScoresCome() throws Exception {
        AlertTimeline.Settings settings = new AlertTimeline.Settings(1.0, 2, 30, EVENTS);
        List<Object> inputs = spikeInputs().subList(0, 2 * 9); // frames 0..8, the event still running at frame 8
        AlertTimeline t = new AlertTimeline("cam", settings);
        for (long f = 0; f < 9; f++) {
            t.onDetections(detections(f, 1)); // the detector is done, the scorer far behind
        }
        assertTrue(t.onEndOfSource(8).isEmpty(), "frames are waiting for their scores");
        List<AlertTimeline.FrameResult> frames = new ArrayList<>();
        List<AlertTimeline.Announcement> events = new ArrayList<>();
        for (int i = 1; i < inputs.size(); i += 2) {
            // A restart in between keeps the end of the source.
            t = AlertTimeline.restore("cam", settings, io.vigil.proto.v1.AlertTimelineState.parseFrom(t.state().toByteArray()));
            AlertTimeline.Output o = t.onObjectScore((ObjectScore) inputs.get(i));
            frames.addAll(o.frames());
            events.addAll(o.announcements());
        }
        assertEquals(9, frames.size(), "the last frame's score ends the source: the look-ahead is flushed at once");
        assertEquals(EventDetector.State.CLOSED, events.get(events.size() - 1).event().state());
        assertTrue(!t.hasWork());
        assertTrue(t.onDetections(detections(8, 1)).isEmpty(), "after the flush, input for the source is late");
    }

    @Test
    void restoredStateContinuesExactlyLikeAnUninterruptedTimeline() throws Exception {
        AlertTimeline.Settings settings = new AlertTimeline.Settings(1.5, 4, 5, EVENTS);
        List<Object> inputs = spikeInputs();
        List<AlertTimeline.FrameResult> straightFrames = new ArrayList<>();
        List<AlertTimeline.Announcement> straightEvents = new ArrayList<>();
        feed(new AlertTimeline("cam", settings), inputs, straightFrames, straightEvents);

        for (int cut = 1; cut < inputs.size(); cut += 3) {
            List<AlertTimeline.FrameResult> frames = new ArrayList<>();
            List<AlertTimeline.Announcement> events = new ArrayList<>();
            AlertTimeline first = new AlertTimeline("cam", settings);
            feed(first, inputs.subList(0, cut), frames, events);
            AlertTimeline second = AlertTimeline.restore("cam", settings,
                    io.vigil.proto.v1.AlertTimelineState.parseFrom(first.state().toByteArray()));
            feed(second, inputs.subList(cut, inputs.size()), frames, events);
            assertEquals(straightFrames, frames, "cut at input " + cut);
            assertEquals(straightEvents, events, "cut at input " + cut);
        }
    }

    /** Frames {@code from..to}, one object each, with {@code score}. */
    private static List<Object> steady(long from, long to, float score) {
        List<Object> inputs = new ArrayList<>();
        for (long f = from; f <= to; f++) {
            inputs.add(detections(f, 1));
            inputs.add(score(f, 0, score));
        }
        return inputs;
    }

    @Test
    void aFrameIndexFarAheadStartsANewSegmentInsteadOfFillingTheGap() {
        // Found on a running chain: detections at frame 0 and 200,000,000 made the smoothing fill the gap frame by
        // frame, and the alert-sink's stream thread died of OutOfMemoryError for every camera.
        AlertTimeline t = new AlertTimeline("cam", new AlertTimeline.Settings(1.0, 2, 5, EVENTS));
        List<AlertTimeline.FrameResult> frames = new ArrayList<>();
        List<AlertTimeline.Announcement> events = new ArrayList<>();
        feed(t, steady(0, 9, 0.9f), frames, events);
        assertEquals(EventDetector.State.OPEN, events.get(events.size() - 1).event().state(), "an event runs");
        feed(t, List.of(detections(200_000_000L, 0)), frames, events);
        feed(t, steady(200_000_001L, 200_000_020L, 0.1f), frames, events);
        feed(t, List.of(t.flush()), frames, events);

        assertTrue(frames.size() <= 10 + 21, "no frame score for the frames never seen: " + frames.size());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), frames.subList(0, 10).stream()
                .map(AlertTimeline.FrameResult::frameIndex).toList(), "the first segment ends with its own frames");
        assertEquals(200_000_000L, frames.get(10).frameIndex());
        assertEquals(0.1f, frames.get(frames.size() - 1).smoothedScore(), 1e-6f,
                "the new segment is smoothed on its own, without the old one's scores");
        EventDetector.Event closed = events.get(events.size() - 1).event();
        assertEquals(EventDetector.State.CLOSED, closed.state());
        assertEquals(9, closed.endFrame(), "the running event closes at the end of its segment");
    }

    @Test
    void numberingThatStartsAgainIsANewSegmentNotLateInput() {
        // frame-ingest restarted on an empty topic numbers from 0 again; those frames used to be dropped as late.
        AlertTimeline t = new AlertTimeline("cam", new AlertTimeline.Settings(0, FrameScorer.Aggregation.MAXIMUM, 0, 0, 5, 100, 10_000, EVENTS));
        List<AlertTimeline.FrameResult> frames = new ArrayList<>();
        List<AlertTimeline.Announcement> events = new ArrayList<>();
        feed(t, steady(0, 499, 0.1f), frames, events);
        feed(t, steady(450, 460, 0.1f), frames, events);
        assertEquals(500, frames.size(), "a repeat within the gap is late input");
        assertEquals(22, t.lateInputs());
        feed(t, steady(0, 19, 0.1f), frames, events);
        assertEquals(520, frames.size(), "frames 0..19 of the new numbering are scored");
        assertEquals(19, frames.get(frames.size() - 1).frameIndex());
    }

    @Test
    void framesWaitingForScoresAreBounded() {
        // Detections whose objects never get a score: the state must not grow with them.
        AlertTimeline t = new AlertTimeline("cam", new AlertTimeline.Settings(0, FrameScorer.Aggregation.MAXIMUM, 0, 0, 5, 250, 50, EVENTS));
        java.util.Random random = new java.util.Random(7);
        java.util.Set<Long> finalized = new java.util.HashSet<>();
        long frame = 0;
        for (int i = 0; i < 2_000; i++) {
            frame += 1 + random.nextInt(5);
            t.onDetections(detections(frame, 3)).frames().forEach(f -> finalized.add(f.frameIndex()));
            assertTrue(t.state().getPendingCount() <= 50, "pending " + t.state().getPendingCount());
        }
        assertEquals(50, t.state().getPendingCount());
        assertTrue(finalized.size() >= 2_000 - 50, "the oldest waiting frames were given up: " + finalized.size());
    }

    @Test
    void segmentSettingsAreValidated() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new AlertTimeline.Settings(0, FrameScorer.Aggregation.MAXIMUM, 0, 0, 5, 0, 10, EVENTS));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new AlertTimeline.Settings(0, FrameScorer.Aggregation.MAXIMUM, 0, 0, 5, 10, 0, EVENTS));
    }
}
