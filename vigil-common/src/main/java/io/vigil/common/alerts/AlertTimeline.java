package io.vigil.common.alerts;

import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.common.scoring.ScoredBox;
import io.vigil.common.scoring.TemporalSmoother;
import io.vigil.proto.v1.AlertTimelineState;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.EventDetectorState;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.PendingFrameScores;
import io.vigil.proto.v1.ScoredFrame;
import io.vigil.proto.v1.ScoredObject;
import io.vigil.proto.v1.SmootherState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One camera's way from object scores to frame scores and anomaly events: the alert-sink's logic, without Kafka.
 *
 * <p>A frame is final once all the objects its detections announced have a score, or when it cannot complete any
 * more: scores already arrived for a frame {@code completionHorizon} frames later (the assembler or the scorer
 * dropped an object), or the camera went quiet ({@link #flush}). A frame with no object is final at once. Final
 * frames are scored in order ({@link FrameScorer}: object scores painted into their boxes, maximum of the map),
 * smoothed ({@link TemporalSmoother}, fixed look-ahead) and fed to the {@link EventDetector}. Frames never seen
 * count as score 0, up to {@code maxFrameGap} of them: a larger jump of the frame index, ahead or back (a camera
 * whose numbering started again), ends the segment (its frames are flushed and a running event closes) and starts a
 * new one, so no number taken from a record decides how much work or memory a frame costs. At most
 * {@code maxPendingFrames} frames wait for their objects; beyond that the oldest is given up. When the source ended
 * ({@link #onEndOfSource}), the timeline flushes itself as soon as its last frame is final, so a slow scorer upstream
 * is waited for instead of being taken for a quiet camera. The whole state round-trips through {@link #state()} /
 * {@link #restore}, so a restarted service continues exactly where the committed state left it.
 */
public final class AlertTimeline {

    public record Settings(int meanFilterSize, FrameScorer.Aggregation aggregation, double sigma, int maxLookahead,
            int completionHorizon, int maxFrameGap, int maxPendingFrames, EventDetector.Settings events) {
        // The alert-sink's defaults (constants, so its configuration can name them).
        public static final String SIGMA = "3";
        public static final String MAX_LOOKAHEAD = "9";
        public static final String COMPLETION_HORIZON = "30";
        /** 25 s at 10 frames/s: a longer outage is a new segment. */
        public static final String MAX_FRAME_GAP = "250";
        /** A scorer 1,000 s behind the detector at 10 frames/s still loses nothing. */
        public static final String MAX_PENDING_FRAMES = "10000";

        /** The alert-sink's defaults, for tools that must see the frame scores and events it would produce. */
        public static Settings defaults() {
            return new Settings(0, FrameScorer.Aggregation.valueOf(FrameScorer.Aggregation.DEFAULT),
                    Double.parseDouble(SIGMA), Integer.parseInt(MAX_LOOKAHEAD), Integer.parseInt(COMPLETION_HORIZON),
                    Integer.parseInt(MAX_FRAME_GAP), Integer.parseInt(MAX_PENDING_FRAMES), EventDetector.Settings.defaults());
        }

        /** The map's maximum without a filter, with the default segment gap and pending bound. */
        public Settings(double sigma, int maxLookahead, int completionHorizon, EventDetector.Settings events) {
            this(0, FrameScorer.Aggregation.MAXIMUM, sigma, maxLookahead, completionHorizon, Integer.parseInt(MAX_FRAME_GAP),
                    Integer.parseInt(MAX_PENDING_FRAMES), events);
        }

        /** The same smoothing with another camera's event settings. */
        public Settings withEvents(EventDetector.Settings other) {
            return new Settings(meanFilterSize, aggregation, sigma, maxLookahead, completionHorizon, maxFrameGap,
                    maxPendingFrames, other);
        }

        /** The same with another temporal smoothing. */
        public Settings withSmoothing(double otherSigma, int otherMaxLookahead) {
            return new Settings(meanFilterSize, aggregation, otherSigma, otherMaxLookahead, completionHorizon, maxFrameGap,
                    maxPendingFrames, events);
        }

        /** Frames of latency the smoothing adds. */
        public int lookahead() {
            return TemporalSmoother.lookahead(sigma, maxLookahead);
        }

        /** The same with another frame aggregation. */
        public Settings withAggregation(FrameScorer.Aggregation other) {
            return new Settings(meanFilterSize, other, sigma, maxLookahead, completionHorizon, maxFrameGap,
                    maxPendingFrames, events);
        }

        public Settings {
            if (completionHorizon < 1 || maxFrameGap < 1 || maxPendingFrames < 1) {
                throw new IllegalArgumentException("completion horizon, max frame gap and max pending frames must be >= 1, got "
                        + completionHorizon + ", " + maxFrameGap + ", " + maxPendingFrames);
            }
        }
    }

    /** A frame's score once smoothed. */
    public record FrameResult(long frameIndex, long captureTimeMs, float rawScore, float smoothedScore, int objects) {
    }

    /** An event announcement with the objects of its peak frame (most anomalous first). */
    public record Announcement(EventDetector.Event event, List<ScoredObject> peakObjects) {
    }

    /** What one input caused; {@code newPeak} is the frame that became the running event's peak (else -1). */
    public record Output(List<FrameResult> frames, List<Announcement> announcements, long newPeak) {
        static final Output NONE = new Output(List.of(), List.of(), -1);

        public boolean isEmpty() {
            return frames.isEmpty() && announcements.isEmpty() && newPeak < 0;
        }

        /** This output followed by {@code next}. */
        Output then(Output next) {
            if (isEmpty()) {
                return next;
            }
            if (next.isEmpty()) {
                return this;
            }
            List<FrameResult> f = new ArrayList<>(frames);
            f.addAll(next.frames);
            List<Announcement> a = new ArrayList<>(announcements);
            a.addAll(next.announcements);
            return new Output(f, a, next.newPeak >= 0 ? next.newPeak : newPeak);
        }
    }

    private final String cameraId;
    private final Settings settings;
    private final FrameScorer frameScorer;
    private TemporalSmoother smoother;
    private EventDetector events;
    private final TreeMap<Long, PendingFrameScores.Builder> pending = new TreeMap<>();
    private final TreeMap<Long, ScoredFrame> unsmoothed = new TreeMap<>();
    private List<ScoredObject> peakObjects = List.of();
    private long lastFinalized = -1;
    private long maxScoredFrame = -1;
    /** The source's last frame once it ended, until the flush; -1 otherwise. */
    private long sourceEnd = -1;
    private long late;

    /** The frame scoring, smoothing and event rules this camera's timeline runs with. */
    public Settings settings() {
        return settings;
    }

    public AlertTimeline(String cameraId, Settings settings) {
        this.cameraId = cameraId;
        this.settings = settings;
        this.frameScorer = new FrameScorer(settings.meanFilterSize(), settings.aggregation());
        this.smoother = new TemporalSmoother(settings.sigma(), settings.maxLookahead());
        this.events = new EventDetector(cameraId, settings.events());
    }

    public String cameraId() {
        return cameraId;
    }

    /** Frames of latency the smoothing adds. */
    public int lookahead() {
        return smoother.lookahead();
    }

    /** Inputs that came for frames already final (counted, otherwise ignored). */
    public long lateInputs() {
        return late;
    }

    /** The oldest frame that can still become an event's peak (older frames need no thumbnail); -1 if unknown. */
    public long oldestPossiblePeak() {
        long next = smoother.nextToEmit();
        if (next < 0) {
            return pending.isEmpty() ? -1 : pending.firstKey();
        }
        return Math.min(next, pending.isEmpty() ? next : pending.firstKey());
    }

    /** The peak frame of the running event, -1 when none runs. */
    public long runningPeak() {
        return events.active() ? events.peakFrame() : -1;
    }

    public Output onDetections(FrameDetections d) {
        long frame = d.getFrameIndex();
        if (isLate(frame)) {
            return Output.NONE;
        }
        Output restarted = restartIfNumberedAgain(frame);
        PendingFrameScores.Builder p = pendingFrame(frame);
        p.setExpectedObjects(d.getDetectionsCount()).setCaptureTimeMs(d.getCaptureTimeMs()).setWidth(d.getWidth())
                .setHeight(d.getHeight());
        return restarted.then(flushIfEnded(finalizeReady(false)));
    }

    public Output onObjectScore(ObjectScore s) {
        long frame = s.getMiddleFrameIndex();
        if (isLate(frame)) {
            return Output.NONE;
        }
        Output restarted = restartIfNumberedAgain(frame);
        PendingFrameScores.Builder p = pendingFrame(frame);
        boolean duplicate = p.getObjectsList().stream().anyMatch(o -> o.getObjectIndex() == s.getObjectIndex());
        if (!duplicate) {
            p.addObjects(ScoredObject.newBuilder().setObjectIndex(s.getObjectIndex())
                    .setDetection(withoutClassProbabilities(s.getDetection())).setScore(s.getScore())
                    .putAllCueSurprises(s.getCueSurprisesMap()));
        }
        if (p.getWidth() == 0) {
            p.setWidth(s.getFrameWidth()).setHeight(s.getFrameHeight()).setCaptureTimeMs(s.getCaptureTimeMs());
        }
        maxScoredFrame = Math.max(maxScoredFrame, frame);
        return restarted.then(flushIfEnded(finalizeReady(false)));
    }

    /** Input for a frame already final, within the gap of a segment: counted and ignored. */
    private boolean isLate(long frame) {
        if (frame <= lastFinalized && lastFinalized - frame <= settings.maxFrameGap()) {
            late++;
            return true;
        }
        return false;
    }

    /** A frame far behind the final ones: the camera numbers from the start again, so the old segment ends. */
    private Output restartIfNumberedAgain(long frame) {
        if (frame >= lastFinalized || lastFinalized < 0) {
            return Output.NONE;
        }
        Output ended = flush();
        lastFinalized = -1;
        maxScoredFrame = -1;
        startSegment();
        return ended;
    }

    private void startSegment() {
        smoother = new TemporalSmoother(settings.sigma(), settings.maxLookahead());
        events = new EventDetector(cameraId, settings.events());
        peakObjects = List.of();
        unsmoothed.clear();
    }

    /** The camera's source ended with {@code lastFrame}: the timeline flushes once every frame up to it is final. */
    public Output onEndOfSource(long lastFrame) {
        sourceEnd = Math.max(sourceEnd, lastFrame);
        return flushIfEnded(Output.NONE);
    }

    private Output flushIfEnded(Output out) {
        return sourceEnd >= 0 && lastFinalized >= sourceEnd ? out.then(flush()) : out;
    }

    /** The camera went quiet (or its stream ended): finalises every waiting frame and closes a running event. */
    public Output flush() {
        sourceEnd = -1;
        Output finalized = finalizeReady(true);
        List<FrameResult> frames = new ArrayList<>(finalized.frames());
        List<Announcement> announcements = new ArrayList<>(finalized.announcements());
        long[] newPeak = {finalized.newPeak()};
        endSegment(frames, announcements, newPeak);
        return new Output(frames, announcements, newPeak[0]);
    }

    /** The frames still waiting for their look-ahead, smoothed with what there is; a running event closes. */
    private void endSegment(List<FrameResult> frames, List<Announcement> announcements, long[] newPeak) {
        for (TemporalSmoother.Smoothed s : smoother.flush()) {
            detect(s, frames, announcements, newPeak);
        }
        for (EventDetector.Event e : events.flush()) {
            announcements.add(new Announcement(e, peakObjects));
        }
    }

    /** True when frames are waiting to be finalised or smoothed, or an event is running. */
    public boolean hasWork() {
        return !pending.isEmpty() || !unsmoothed.isEmpty() || events.active();
    }

    private PendingFrameScores.Builder pendingFrame(long frame) {
        return pending.computeIfAbsent(frame, f -> PendingFrameScores.newBuilder().setFrameIndex(f).setExpectedObjects(-1));
    }

    private Output finalizeReady(boolean force) {
        List<FrameResult> frames = new ArrayList<>();
        List<Announcement> announcements = new ArrayList<>();
        long[] newPeak = {-1};
        while (!pending.isEmpty()) {
            PendingFrameScores.Builder p = pending.firstEntry().getValue();
            boolean complete = p.getExpectedObjects() >= 0 && p.getObjectsCount() >= p.getExpectedObjects();
            boolean cannotComplete = maxScoredFrame >= p.getFrameIndex() + settings.completionHorizon()
                    || pending.size() > settings.maxPendingFrames();
            if (!(complete || cannotComplete || force)) {
                break;
            }
            pending.pollFirstEntry();
            if (lastFinalized >= 0 && p.getFrameIndex() - lastFinalized > settings.maxFrameGap()) {
                endSegment(frames, announcements, newPeak);
                startSegment();
            }
            lastFinalized = p.getFrameIndex();
            List<ScoredObject> objects = new ArrayList<>(p.getObjectsList());
            objects.sort((a, b) -> Float.compare(b.getScore(), a.getScore()));
            List<ScoredBox> boxes = new ArrayList<>(objects.size());
            for (ScoredObject o : objects) {
                var b = o.getDetection().getBox();
                boxes.add(new ScoredBox(b.getX1(), b.getY1(), b.getX2(), b.getY2(), o.getScore()));
            }
            float raw = frameScorer.score(p.getWidth(), p.getHeight(), boxes);
            unsmoothed.put(p.getFrameIndex(), ScoredFrame.newBuilder().setFrameIndex(p.getFrameIndex())
                    .setCaptureTimeMs(p.getCaptureTimeMs()).setRawScore(raw).addAllObjects(objects).build());
            for (TemporalSmoother.Smoothed s : smoother.push(p.getFrameIndex(), raw)) {
                detect(s, frames, announcements, newPeak);
            }
        }
        return frames.isEmpty() && announcements.isEmpty() && newPeak[0] < 0 ? Output.NONE
                : new Output(frames, announcements, newPeak[0]);
    }

    private void detect(TemporalSmoother.Smoothed s, List<FrameResult> frames, List<Announcement> announcements, long[] newPeak) {
        // Gaps (frames never seen) were smoothed as 0; they have no capture time of their own.
        ScoredFrame scored = unsmoothed.remove(s.frameIndex());
        unsmoothed.headMap(s.frameIndex()).clear();
        long time = scored == null ? 0 : scored.getCaptureTimeMs();
        int objects = scored == null ? 0 : scored.getObjectsCount();
        frames.add(new FrameResult(s.frameIndex(), time, s.raw(), s.smoothed(), objects));
        long peakBefore = events.active() ? events.peakFrame() : -1;
        List<EventDetector.Event> out = events.push(s.frameIndex(), time, s.smoothed());
        if (events.active() && events.peakFrame() == s.frameIndex() && peakBefore != s.frameIndex()) {
            peakObjects = scored == null ? List.of() : scored.getObjectsList();
            newPeak[0] = s.frameIndex();
        }
        for (EventDetector.Event e : out) {
            announcements.add(new Announcement(e, peakObjects));
        }
    }

    private static Detection withoutClassProbabilities(Detection d) {
        return d.toBuilder().clearClassProbabilities().build();
    }

    public AlertTimelineState state() {
        AlertTimelineState.Builder b = AlertTimelineState.newBuilder().setLastFinalized(lastFinalized)
                .setMaxScoredFrame(maxScoredFrame).addAllPeakObjects(peakObjects);
        if (sourceEnd >= 0) {
            b.setSourceEndFrame(sourceEnd);
        }
        pending.values().forEach(p -> b.addPending(p.build()));
        b.addAllUnsmoothed(unsmoothed.values());
        TemporalSmoother.Snapshot s = smoother.snapshot();
        SmootherState.Builder sb = SmootherState.newBuilder().setFirstIndex(s.firstIndex()).setNextToEmit(s.nextToEmit());
        for (float v : s.history()) {
            sb.addHistory(v);
        }
        b.setSmoother(sb);
        EventDetector.Snapshot e = events.snapshot();
        b.setEvents(EventDetectorState.newBuilder().setActive(e.active()).setAnnounced(e.announced()).setStart(e.start())
                .setStartTimeMs(e.startTime()).setLastAbove(e.lastAbove()).setLastAboveTimeMs(e.lastAboveTime())
                .setPeak(e.peak()).setPeakTimeMs(e.peakTime()).setPeakScore(e.peakScore()).setQuietSince(e.quietSince())
                .setCooldownUntil(e.cooldownUntil()).setLastAnnounced(e.lastAnnounced()));
        return b.build();
    }

    /** A timeline continuing from {@link #state()}. */
    public static AlertTimeline restore(String cameraId, Settings settings, AlertTimelineState state) {
        AlertTimeline t = new AlertTimeline(cameraId, settings);
        t.lastFinalized = state.getLastFinalized();
        t.maxScoredFrame = state.getMaxScoredFrame();
        t.sourceEnd = state.hasSourceEndFrame() ? state.getSourceEndFrame() : -1;
        t.peakObjects = state.getPeakObjectsList();
        for (PendingFrameScores p : state.getPendingList()) {
            t.pending.put(p.getFrameIndex(), p.toBuilder());
        }
        for (ScoredFrame f : state.getUnsmoothedList()) {
            t.unsmoothed.put(f.getFrameIndex(), f);
        }
        SmootherState s = state.getSmoother();
        float[] history = new float[s.getHistoryCount()];
        for (int i = 0; i < history.length; i++) {
            history[i] = s.getHistory(i);
        }
        t.smoother.restore(new TemporalSmoother.Snapshot(s.getFirstIndex(), s.getNextToEmit(), history));
        EventDetectorState e = state.getEvents();
        t.events.restore(new EventDetector.Snapshot(e.getActive(), e.getAnnounced(), e.getStart(), e.getStartTimeMs(),
                e.getLastAbove(), e.getLastAboveTimeMs(), e.getPeak(), e.getPeakTimeMs(), e.getPeakScore(),
                e.getQuietSince(), e.getCooldownUntil(), e.getLastAnnounced()));
        return t;
    }
}
