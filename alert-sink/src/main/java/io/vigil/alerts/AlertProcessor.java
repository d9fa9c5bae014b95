package io.vigil.alerts;

import com.google.protobuf.ByteString;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.Cues;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.kafka.RecordTracing;
import io.vigil.kafka.streams.CameraKeys;
import io.vigil.kafka.streams.ProtoStore;
import io.vigil.kafka.streams.PunctuationClock;
import io.vigil.kafka.streams.RecordGuard;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AlertTimelineState;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ScoredObject;
import io.vigil.vision.image.ImageDecodeException;
import io.vigil.vision.image.Thumbnails;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * The Kafka Streams adapter around {@link AlertTimeline}: feeds a camera's timeline the record, writes its frame
 * scores and event announcements, saves it to the store. Frames are kept (JPEG) only while they can still become an
 * event's peak; the peak frame of the running event is kept apart for its thumbnail.
 */
final class AlertProcessor implements Processor<String, byte[], String, byte[]> {

    static final String STAGE = "alert-sink";
    private static final Logger LOG = Logger.getLogger(AlertProcessor.class);

    private final AlertTopology.Settings settings;
    private final AlertMetrics metrics;

    private final RecordGuard guard;
    private ProcessorContext<String, byte[]> context;
    private ProtoStore<AlertTimelineState> timelines;
    /** JPEGs of frames that can still become a peak, key {@code camera|index}. */
    private KeyValueStore<String, byte[]> frames;
    private ProtoStore<Frame> peaks;
    /** Cameras with input dated since the last idle check. */
    private final PunctuationClock clock = new PunctuationClock();
    /**
     * Each camera's timeline as last saved to the store, so a record does not parse the camera's state (about 10 kB;
     * bench/results/alert-sink-replay.md). The store stays the truth: emptied when the task (re)starts, and a
     * camera's entry dropped when a record fails halfway through changing it.
     */
    private final Map<String, AlertTimeline> saved = new HashMap<>();

    AlertProcessor(AlertTopology.Settings settings, AlertMetrics metrics, RecordTracing tracing) {
        this.settings = settings;
        this.metrics = metrics;
        this.guard = new RecordGuard(STAGE, AlertTopology.DEAD_LETTER_SINK, metrics::rejected, tracing);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.guard.init(context);
        this.saved.clear(); // a revived task's stores were restored from the changelog
        this.timelines = ProtoStore.of(context, AlertTopology.TIMELINES_STORE, AlertTimelineState.parser());
        this.frames = context.getStateStore(AlertTopology.FRAMES_STORE);
        this.peaks = ProtoStore.of(context, AlertTopology.PEAKS_STORE, Frame.parser());
        context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, this::flushIdleCameras);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        guard.process(record, r -> {
            switch (guard.topic()) {
                case Topics.FRAMES -> onFrame(r, VigilSerdes.FRAME.deserializer().parse(r.value(), guard.origin()));
                case Topics.DETECTIONS -> {
                    FrameDetections d = VigilSerdes.FRAME_DETECTIONS.deserializer().parse(r.value(), guard.origin());
                    MessageChecks.detections(r.key(), d);
                    update(d.getCameraId(), r.timestamp(), t -> t.onDetections(d));
                }
                default -> {
                    ObjectScore s = VigilSerdes.OBJECT_SCORE.deserializer().parse(r.value(), guard.origin());
                    MessageChecks.objectScore(r.key(), s);
                    ObjectScore counted = settings.cameras().notAlertedZone(s).isPresent() ? s.toBuilder().setScore(0).build() : s;
                    update(s.getCameraId(), r.timestamp(), t -> t.onObjectScore(counted));
                }
            }
        });
    }

    private void onFrame(Record<String, byte[]> record, Frame frame) {
        MessageChecks.frame(record.key(), frame);
        AlertTimeline timeline = load(frame.getCameraId());
        if (timeline != null && timeline.runningPeak() == frame.getFrameIndex()) {
            // Topics are read in timestamp order, not pipeline order: the peak's scores can come before its frame.
            keepPeak(frame.getCameraId(), frame.getFrameIndex(), frame.getJpeg().toByteArray());
        }
        long oldest = timeline == null ? -1 : timeline.oldestPossiblePeak();
        if (oldest < 0 || frame.getFrameIndex() >= oldest) { // else its score is final: it can no longer be a peak
            frames.put(CameraKeys.of(frame.getCameraId(), frame.getFrameIndex()), frame.getJpeg().toByteArray());
            evictFrames(frame.getCameraId(), oldest, frame.getFrameIndex() - settings.maxFramesPerCamera() + 1);
        }
        if (frame.getEndOfSource()) {
            update(frame.getCameraId(), record.timestamp(), t -> t.onEndOfSource(frame.getFrameIndex()));
        }
    }

    private interface Step {
        AlertTimeline.Output apply(AlertTimeline timeline);
    }

    private void update(String camera, long timestamp, Step step) {
        AlertTimeline timeline = load(camera);
        if (timeline == null) {
            timeline = new AlertTimeline(camera, settings.timeline(camera));
        }
        try {
            emit(timeline, step.apply(timeline), timestamp);
            save(timeline, context.currentSystemTimeMs());
        } catch (RuntimeException e) {
            saved.remove(camera); // changed in part, not saved: the next record reads the store's
            throw e;
        }
    }

    /** The camera's timeline as last saved, under its rules of now, or null when it has none. */
    private AlertTimeline load(String camera) {
        AlertTimeline.Settings rules = settings.timeline(camera);
        AlertTimeline timeline = saved.get(camera);
        if (timeline != null && !timeline.settings().equals(rules)) {
            timeline = AlertTimeline.restore(camera, rules, timeline.state()); // its thresholds changed
            saved.put(camera, timeline);
        } else if (timeline == null) {
            AlertTimelineState state = timelines.get(camera);
            if (state != null) {
                timeline = AlertTimeline.restore(camera, rules, state);
                saved.put(camera, timeline);
            }
        }
        return timeline;
    }

    private void save(AlertTimeline timeline, long now) {
        clock.dated(timeline.cameraId());
        timelines.put(timeline.cameraId(), timeline.state().toBuilder().setLastInputAtMs(now).build());
        saved.put(timeline.cameraId(), timeline);
    }

    private void emit(AlertTimeline timeline, AlertTimeline.Output out, long timestamp) {
        String camera = timeline.cameraId();
        if (out.newPeak() >= 0 && settings.thumbnails() != null) {
            byte[] jpeg = frames.get(CameraKeys.of(camera, out.newPeak()));
            if (jpeg != null) {
                keepPeak(camera, out.newPeak(), jpeg);
            }
        }
        for (AlertTimeline.FrameResult f : out.frames()) {
            FrameScore score = FrameScore.newBuilder().setCameraId(camera).setFrameIndex(f.frameIndex())
                    .setCaptureTimeMs(f.captureTimeMs()).setRawScore(f.rawScore()).setSmoothedScore(f.smoothedScore())
                    .setObjectCount(f.objects()).build();
            context.forward(new Record<>(camera, score.toByteArray(), timestamp, guard.traced()), AlertTopology.FRAME_SCORES_SINK);
            metrics.frameScored(camera, f.smoothedScore(), f.captureTimeMs());
        }
        for (AlertTimeline.Announcement a : out.announcements()) {
            AnomalyEvent event = toEvent(a, timeline.settings());
            context.forward(new Record<>(camera, event.toByteArray(), timestamp, guard.traced()), AlertTopology.EVENTS_SINK);
            metrics.announced(a.event().state().name());
            LOG.infof("event=%s state=%s camera=%s frames=%d..%d peak=%d score=%.3f", event.getEventId(), event.getState(),
                    camera, event.getStartFrameIndex(), event.getEndFrameIndex(), event.getPeakFrameIndex(),
                    event.getPeakScore());
        }
        evictFrames(camera, timeline.oldestPossiblePeak(), Long.MIN_VALUE);
    }

    private void keepPeak(String camera, long index, byte[] jpeg) {
        peaks.put(camera, Frame.newBuilder().setCameraId(camera).setFrameIndex(index).setJpeg(ByteString.copyFrom(jpeg)).build());
    }

    private AnomalyEvent toEvent(AlertTimeline.Announcement a, AlertTimeline.Settings camera) {
        var e = a.event();
        List<ScoredObject> anomalous = new ArrayList<>();
        float close = camera.events().closeThreshold();
        int n = a.peakObjects().size();
        boolean adjusted = camera.aggregation() == FrameScorer.Aggregation.CROWD_ADJUSTED;
        for (ScoredObject o : a.peakObjects()) {
            // An object counts as the frame score does: among as many normal objects, with the crowd adjustment.
            if ((adjusted ? FrameScorer.rarestAmong(o.getScore(), n) : o.getScore()) >= close) {
                anomalous.add(o);
            }
        }
        if (anomalous.isEmpty() && !a.peakObjects().isEmpty()) {
            anomalous.add(a.peakObjects().get(0)); // the map's maximum can come from a smoothed neighbour: show the top one
        }
        AnomalyEvent.Builder b = AnomalyEvent.newBuilder().setEventId(e.id()).setCameraId(e.cameraId())
                .setState(AnomalyEvent.State.valueOf(e.state().name())).setStartFrameIndex(e.startFrame())
                .setEndFrameIndex(e.endFrame()).setPeakFrameIndex(e.peakFrame()).setStartTimeMs(e.startTimeMs())
                .setEndTimeMs(e.endTimeMs()).setPeakTimeMs(e.peakTimeMs()).setPeakScore(e.peakScore());
        anomalous.forEach(o -> b.addBoxes(o.getDetection()));
        if (!anomalous.isEmpty()) {
            // The peak objects come most unusual first: the event is about the first one.
            Cues.Explanation why = Cues.explain(anomalous.get(0).getCueSurprisesMap());
            b.setCause(why.cause()).putAllCueShares(why.shares());
        }
        byte[] peakJpeg = peakJpeg(e.cameraId(), e.peakFrame());
        if (peakJpeg != null && settings.thumbnails() != null) {
            try {
                List<Thumbnails.Outline> outlines = new ArrayList<>();
                for (ScoredObject o : anomalous) {
                    var box = o.getDetection().getBox();
                    outlines.add(new Thumbnails.Outline(box.getX1(), box.getY1(), box.getX2(), box.getY2(), outlines.isEmpty()));
                }
                b.setThumbnailJpeg(ByteString.copyFrom(settings.thumbnails().render(peakJpeg, outlines)));
            } catch (ImageDecodeException ex) {
                metrics.rejected("thumbnail");
                LOG.warnf("event=%s no thumbnail: %s", e.id(), ex.getMessage());
            }
        }
        return b.build();
    }

    private byte[] peakJpeg(String camera, long index) {
        byte[] jpeg = frames.get(CameraKeys.of(camera, index));
        if (jpeg != null) {
            return jpeg;
        }
        Frame peak = peaks.get(camera);
        return peak != null && peak.getFrameIndex() == index ? peak.getJpeg().toByteArray() : null;
    }

    /** Drops a camera's frames before {@code oldestNeeded} and before {@code capFrom} (the per-camera cap). */
    private void evictFrames(String camera, long oldestNeeded, long capFrom) {
        long before = Math.max(oldestNeeded, capFrom);
        if (before <= 0) {
            return;
        }
        List<String> stale = new ArrayList<>();
        String to = before == Long.MAX_VALUE ? CameraKeys.last(camera) : CameraKeys.of(camera, before - 1);
        try (KeyValueIterator<String, byte[]> it = frames.range(CameraKeys.first(camera), to)) {
            while (it.hasNext()) {
                stale.add(it.next().key);
            }
        }
        stale.forEach(frames::delete);
    }

    /** Cameras with waiting frames and no input for the idle timeout are flushed: their last frames and events close. */
    private void flushIdleCameras(long now) {
        for (String camera : clock.takeDated()) {
            AlertTimelineState s = timelines.get(camera);
            if (s != null) {
                timelines.put(camera, s.toBuilder().setLastInputAtMs(PunctuationClock.redate(s.getLastInputAtMs(), now)).build());
            }
        }
        for (KeyValue<String, AlertTimelineState> kv : timelines.all()) {
            long quietMs = now - kv.value.getLastInputAtMs();
            // An ended source is complete but for a slow scorer, or for objects dropped upstream: wait longer.
            Duration timeout = kv.value.hasSourceEndFrame() ? settings.endOfSourceTimeout() : settings.idleTimeout();
            if (quietMs < timeout.toMillis()) {
                continue;
            }
            try {
                AlertTimeline timeline = load(kv.key);
                if (timeline.hasWork()) {
                    LOG.infof("camera=%s idle for %d ms: flushing its waiting frames", kv.key, quietMs);
                    saved.remove(kv.key); // until saved again
                    emit(timeline, timeline.flush(), now);
                    timelines.put(kv.key, timeline.state().toBuilder().setLastInputAtMs(kv.value.getLastInputAtMs()).build());
                    saved.put(kv.key, timeline);
                } else if (quietMs >= settings.cameraRetention().toMillis()) {
                    forget(kv.key, quietMs);
                }
            } catch (RuntimeException e) {
                // No record to dead-letter here: the camera's state is what fails, so it goes, not the stream thread.
                LOG.errorf(e, "camera=%s cannot be flushed; its state is dropped", kv.key);
                metrics.rejected("failed");
                forget(kv.key, quietMs);
            }
        }
    }

    /** A camera quiet for the retention: nothing of it stays in the stores, the metrics or memory. */
    private void forget(String camera, long quietMs) {
        LOG.infof("camera=%s without input for %d ms: forgotten", camera, quietMs);
        timelines.delete(camera);
        peaks.delete(camera);
        evictFrames(camera, Long.MAX_VALUE, Long.MIN_VALUE);
        saved.remove(camera);
        metrics.forget(camera);
    }
}
