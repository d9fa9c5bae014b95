package io.vigil.alerts;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.image.ImageDecodeException;
import io.vigil.common.image.Thumbnails;
import io.vigil.common.kafka.DeadLetters;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AlertTimelineState;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ScoredObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * The Kafka Streams adapter around {@link AlertTimeline}: loads a camera's timeline from the store, feeds it the
 * record, writes its frame scores and event announcements, saves it back. Frames are kept (JPEG) only while they
 * can still become an event's peak; the peak frame of the running event is kept apart for its thumbnail.
 */
final class AlertProcessor implements Processor<String, byte[], String, byte[]> {

    static final String STAGE = "alert-sink";
    private static final Logger LOG = Logger.getLogger(AlertProcessor.class);

    private final AlertTopology.Settings settings;
    private final AlertMetrics metrics;

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> timelines;
    private KeyValueStore<String, byte[]> frames;
    private KeyValueStore<String, byte[]> peaks;
    /** Cameras with input since the last idle check. */
    private final Set<String> activeSinceLastCheck = new HashSet<>();
    /** Per camera, what a frame record needs of its timeline; derived from the store on every save (not state). */
    private final Map<String, PeakWindow> peakWindows = new HashMap<>();

    /** The running event's peak frame (-1: none) and the oldest frame that can still become a peak (-1: any). */
    private record PeakWindow(long runningPeak, long oldestPossiblePeak) {
        static PeakWindow of(AlertTimeline t) {
            return new PeakWindow(t.runningPeak(), t.oldestPossiblePeak());
        }
    }

    AlertProcessor(AlertTopology.Settings settings, AlertMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.timelines = context.getStateStore(Topics.Stores.ALERT_TIMELINES);
        this.frames = context.getStateStore(Topics.Stores.ALERT_FRAMES);
        this.peaks = context.getStateStore(Topics.Stores.ALERT_PEAKS);
        context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, this::flushIdleCameras);
    }

    static String frameKey(String camera, long index) {
        return camera + "|" + String.format("%020d", index);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        try {
            switch (topic) {
                case Topics.FRAMES -> onFrame(record, VigilSerdes.FRAME.deserializer().parse(record.value(), origin()));
                case Topics.DETECTIONS -> {
                    FrameDetections d = VigilSerdes.FRAME_DETECTIONS.deserializer().parse(record.value(), origin());
                    MessageChecks.detections(record.key(), d);
                    update(d.getCameraId(), record.timestamp(), t -> t.onDetections(d));
                }
                default -> {
                    ObjectScore s = VigilSerdes.OBJECT_SCORE.deserializer().parse(record.value(), origin());
                    MessageChecks.objectScore(record.key(), s);
                    update(s.getCameraId(), record.timestamp(), t -> t.onObjectScore(s));
                }
            }
        } catch (MalformedMessageException | NullPointerException e) {
            deadLetter(record, "malformed", e.getMessage() == null ? "empty record on " + origin() : e.getMessage(), e);
        } catch (MessageChecks.InvalidMessageException e) {
            deadLetter(record, "invalid", e.getMessage() + " at " + origin(), e);
        }
    }

    private String origin() {
        return context.recordMetadata().map(m -> "topic " + m.topic() + " partition " + m.partition() + " offset "
                + m.offset()).orElse("unknown record");
    }

    private void onFrame(Record<String, byte[]> record, Frame frame) {
        MessageChecks.frame(record.key(), frame);
        // Frames are the largest and most frequent records: no parse of the camera's timeline state for each one.
        PeakWindow window = peakWindows.computeIfAbsent(frame.getCameraId(), c -> {
            AlertTimeline t = load(c);
            return t == null ? null : PeakWindow.of(t);
        });
        if (window != null && window.runningPeak() == frame.getFrameIndex()) {
            // Topics are read in timestamp order, not pipeline order: the peak's scores can come before its frame.
            keepPeak(frame.getCameraId(), frame.getFrameIndex(), frame.getJpeg().toByteArray());
        }
        long oldest = window == null ? -1 : window.oldestPossiblePeak();
        if (oldest >= 0 && frame.getFrameIndex() < oldest) {
            return; // its score is already final: it can no longer be an event's peak
        }
        frames.put(frameKey(frame.getCameraId(), frame.getFrameIndex()), frame.getJpeg().toByteArray());
        evictFrames(frame.getCameraId(), oldest, frame.getFrameIndex() - settings.maxFramesPerCamera() + 1);
    }

    private interface Step {
        AlertTimeline.Output apply(AlertTimeline timeline);
    }

    private void update(String camera, long timestamp, Step step) {
        AlertTimeline timeline = load(camera);
        if (timeline == null) {
            timeline = new AlertTimeline(camera, settings.timeline());
        }
        emit(timeline, step.apply(timeline), timestamp);
        save(timeline, context.currentSystemTimeMs());
    }

    private AlertTimeline load(String camera) {
        byte[] bytes = timelines.get(camera);
        if (bytes == null) {
            return null;
        }
        try {
            return AlertTimeline.restore(camera, settings.timeline(), AlertTimelineState.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt alert state of camera " + camera, e);
        }
    }

    private void save(AlertTimeline timeline, long now) {
        activeSinceLastCheck.add(timeline.cameraId());
        timelines.put(timeline.cameraId(), timeline.state().toBuilder().setLastInputAtMs(now).build().toByteArray());
        peakWindows.put(timeline.cameraId(), PeakWindow.of(timeline));
    }

    private void emit(AlertTimeline timeline, AlertTimeline.Output out, long timestamp) {
        String camera = timeline.cameraId();
        if (out.newPeak() >= 0 && settings.thumbnails() != null) {
            byte[] jpeg = frames.get(frameKey(camera, out.newPeak()));
            if (jpeg != null) {
                keepPeak(camera, out.newPeak(), jpeg);
            }
        }
        for (AlertTimeline.FrameResult f : out.frames()) {
            FrameScore score = FrameScore.newBuilder().setCameraId(camera).setFrameIndex(f.frameIndex())
                    .setCaptureTimeMs(f.captureTimeMs()).setRawScore(f.rawScore()).setSmoothedScore(f.smoothedScore())
                    .setObjectCount(f.objects()).build();
            context.forward(new Record<>(camera, score.toByteArray(), timestamp), Topics.FRAME_SCORES + "-sink");
            metrics.frameScored(camera, f.smoothedScore());
        }
        for (AlertTimeline.Announcement a : out.announcements()) {
            AnomalyEvent event = toEvent(a);
            context.forward(new Record<>(camera, event.toByteArray(), timestamp), Topics.ANOMALY_EVENTS + "-sink");
            metrics.announced(a.event().state().name());
            LOG.infof("event=%s state=%s camera=%s frames=%d..%d peak=%d score=%.3f", event.getEventId(), event.getState(),
                    camera, event.getStartFrameIndex(), event.getEndFrameIndex(), event.getPeakFrameIndex(),
                    event.getPeakScore());
        }
        evictFrames(camera, timeline.oldestPossiblePeak(), Long.MIN_VALUE);
    }

    private void keepPeak(String camera, long index, byte[] jpeg) {
        peaks.put(camera, Frame.newBuilder().setCameraId(camera).setFrameIndex(index).setJpeg(ByteString.copyFrom(jpeg)).build()
                .toByteArray());
    }

    private AnomalyEvent toEvent(AlertTimeline.Announcement a) {
        var e = a.event();
        List<ScoredObject> anomalous = new ArrayList<>();
        for (ScoredObject o : a.peakObjects()) {
            if (o.getScore() >= settings.timeline().events().closeThreshold()) {
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
        byte[] peakJpeg = peakJpeg(e.cameraId(), e.peakFrame());
        if (peakJpeg != null && settings.thumbnails() != null) {
            try {
                b.setThumbnailJpeg(ByteString.copyFrom(settings.thumbnails().render(peakJpeg, anomalous.stream()
                        .map(o -> new Thumbnails.Outline(o.getDetection().getBox().getX1(), o.getDetection().getBox().getY1(),
                                o.getDetection().getBox().getX2(), o.getDetection().getBox().getY2())).toList())));
            } catch (ImageDecodeException ex) {
                metrics.rejected("thumbnail");
                LOG.warnf("event=%s no thumbnail: %s", e.id(), ex.getMessage());
            }
        }
        return b.build();
    }

    private byte[] peakJpeg(String camera, long index) {
        byte[] jpeg = frames.get(frameKey(camera, index));
        if (jpeg != null) {
            return jpeg;
        }
        byte[] peak = peaks.get(camera);
        if (peak == null) {
            return null;
        }
        try {
            Frame f = Frame.parseFrom(peak);
            return f.getFrameIndex() == index ? f.getJpeg().toByteArray() : null;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** Drops a camera's frames before {@code oldestNeeded} and before {@code capFrom} (the per-camera cap). */
    private void evictFrames(String camera, long oldestNeeded, long capFrom) {
        long before = Math.max(oldestNeeded, capFrom);
        if (before <= 0) {
            return;
        }
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = frames.range(frameKey(camera, 0), frameKey(camera, before - 1))) {
            while (it.hasNext()) {
                stale.add(it.next().key);
            }
        }
        stale.forEach(frames::delete);
    }

    /** Cameras with waiting frames and no input for the idle timeout are flushed: their last frames and events close. */
    private void flushIdleCameras(long now) {
        List<KeyValue<String, AlertTimelineState>> idle = new ArrayList<>();
        List<KeyValue<String, AlertTimelineState>> redated = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = timelines.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                try {
                    AlertTimelineState s = AlertTimelineState.parseFrom(kv.value);
                    if (activeSinceLastCheck.contains(kv.key)) {
                        // The stream thread's cached clock that dated the input can lag this punctuation's by seconds
                        // (the first batch after start-up): count idleness from this check, late by at most one
                        // punctuation interval rather than early.
                        redated.add(KeyValue.pair(kv.key, s.toBuilder().setLastInputAtMs(Math.max(now, s.getLastInputAtMs()))
                                .build()));
                    } else if (now - s.getLastInputAtMs() >= settings.idleTimeout().toMillis()) {
                        idle.add(KeyValue.pair(kv.key, s));
                    }
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("corrupt alert state of camera " + kv.key, e);
                }
            }
        }
        activeSinceLastCheck.clear();
        redated.forEach(kv -> timelines.put(kv.key, kv.value.toByteArray()));
        for (KeyValue<String, AlertTimelineState> kv : idle) {
            AlertTimeline timeline = AlertTimeline.restore(kv.key, settings.timeline(), kv.value);
            if (!timeline.hasWork()) {
                continue;
            }
            LOG.infof("camera=%s idle for %d ms: flushing its waiting frames", kv.key, now - kv.value.getLastInputAtMs());
            emit(timeline, timeline.flush(), now);
            peakWindows.put(kv.key, PeakWindow.of(timeline));
            timelines.put(kv.key, timeline.state().toBuilder().setLastInputAtMs(kv.value.getLastInputAtMs()).build()
                    .toByteArray());
        }
    }

    private void deadLetter(Record<String, byte[]> record, String kind, String reason, Throwable cause) {
        metrics.rejected(kind);
        String source = context.recordMetadata().map(RecordMetadata::topic).orElse(STAGE);
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(),
                DeadLetters.headers(STAGE, reason, source, cause)), Topics.DEAD_LETTER + "-sink");
    }
}
