package io.vigil.assembler;

import io.opentelemetry.api.trace.Span;
import io.vigil.common.collect.LruMap;
import io.vigil.common.scoring.SequenceScoring;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.WindowPlan;
import io.vigil.kafka.RecordTracing;
import io.vigil.kafka.streams.CameraKeys;
import io.vigil.kafka.streams.ProtoStore;
import io.vigil.kafka.streams.PunctuationClock;
import io.vigil.kafka.streams.RecordGuard;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.CameraProgress;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.proto.v1.PendingDetections;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

/**
 * Joins one partition's frames and detections (both keyed by camera) into object sequences.
 *
 * <p>Frames are kept per camera in a persistent store until no future detection can need them; detections wait
 * in another store until frames i-t..i+t are there. A detection of frame i is complete when frame i is stored and
 * no frame of its window can still come (frames of a camera arrive in order: the last frame seen is at least i+t,
 * or the camera's source ended). After {@code maxWait} of wall-clock time it is completed with what is there.
 * Missing frames are padded with the nearest one ({@link WindowPlan}). Every detection gets exactly one sequence,
 * or a dead letter saying why not; with {@link SequenceScoring} in this process, exactly one object score instead.
 */
final class AssemblerProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(AssemblerProcessor.class);

    static final String STAGE = "sequence-assembler";
    private static final int DECODED_CACHE = 48;

    private final SequenceBuilder builder;
    /** Null: sequences go to vigil.sequences for the anomaly-scorer. */
    private final SequenceScoring scoring;
    private final Duration maxWait;
    private final Duration punctuateEvery;
    private final int maxFramesPerCamera;
    private final Duration cameraRetention;
    private final AssemblerMetrics metrics;
    private final RecordGuard guard;
    private final RecordTracing tracing;
    private final ImageCodec codec = new ImageCodec();
    /** Decoded frames: each frame is cropped for up to 2t+1 windows and several objects; derived, not state. */
    private final Map<String, RgbImage> decoded = new LruMap<>(DECODED_CACHE);
    /** Pending detections dated since the last overdue check. */
    private final PunctuationClock clock = new PunctuationClock();

    private ProcessorContext<String, byte[]> context;
    private ProtoStore<Frame> frames;
    private ProtoStore<PendingDetections> pending;
    private ProtoStore<CameraProgress> cameras;

    AssemblerProcessor(SequenceBuilder builder, SequenceScoring scoring, Duration maxWait, Duration punctuateEvery,
            int maxFramesPerCamera, Duration cameraRetention, AssemblerMetrics metrics, RecordTracing tracing) {
        this.cameraRetention = cameraRetention;
        this.builder = builder;
        this.scoring = scoring;
        this.maxWait = maxWait;
        this.punctuateEvery = punctuateEvery;
        this.maxFramesPerCamera = maxFramesPerCamera;
        this.metrics = metrics;
        this.tracing = tracing;
        this.guard = new RecordGuard(STAGE, AssemblerTopology.DEAD_LETTER_SINK, metrics::rejected, tracing);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.guard.init(context);
        this.frames = ProtoStore.of(context, AssemblerTopology.FRAMES_STORE, Frame.parser());
        this.pending = ProtoStore.of(context, AssemblerTopology.PENDING_STORE, PendingDetections.parser());
        this.cameras = ProtoStore.of(context, AssemblerTopology.CAMERAS_STORE, CameraProgress.parser());
        context.schedule(punctuateEvery, PunctuationType.WALL_CLOCK_TIME, this::completeOverdue);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        guard.process(record, r -> {
            if (Topics.FRAMES.equals(guard.topic())) {
                onFrame(r, VigilSerdes.FRAME.deserializer().parse(r.value(), guard.origin()));
            } else {
                onDetections(r, VigilSerdes.FRAME_DETECTIONS.deserializer().parse(r.value(), guard.origin()));
            }
        });
    }

    private void onFrame(Record<String, byte[]> record, Frame frame) {
        MessageChecks.frame(record.key(), frame);
        String camera = frame.getCameraId();
        CameraProgress.Builder progress = progress(camera);
        if (frame.getFrameIndex() < progress.getRetainedFrom()) {
            return; // replayed after its window was closed and evicted: nothing can use it any more
        }
        frames.putSerialized(CameraKeys.of(camera, frame.getFrameIndex()), record.value());
        progress.setLastFrameIndex(Math.max(progress.getLastFrameIndex(), frame.getFrameIndex()))
                .setWidth(frame.getWidth()).setHeight(frame.getHeight())
                .setEnded(progress.getEnded() || frame.getEndOfSource())
                .setLastFrameAtMs(context.currentSystemTimeMs());
        completeReady(camera, progress, record.timestamp());
        evict(camera, progress);
        cameras.put(camera, progress.build());
    }

    private void onDetections(Record<String, byte[]> record, FrameDetections detections) {
        MessageChecks.detections(record.key(), detections);
        String camera = detections.getCameraId();
        CameraProgress.Builder progress = progress(camera);
        progress.setLastDetectionIndex(Math.max(progress.getLastDetectionIndex(), detections.getFrameIndex()));
        if (detections.getDetectionsCount() > 0) {
            String key = CameraKeys.of(camera, detections.getFrameIndex());
            pending.put(key, PendingDetections.newBuilder().setDetections(detections)
                    .setReceivedAtMs(context.currentSystemTimeMs())
                    .setTraceparent(RecordTracing.traceparent(record.headers())).build());
            clock.dated(key);
            completeReady(camera, progress, record.timestamp());
        }
        evict(camera, progress);
        cameras.put(camera, progress.build());
    }

    private CameraProgress.Builder progress(String camera) {
        CameraProgress stored = cameras.get(camera);
        return stored == null ? CameraProgress.newBuilder().setLastFrameIndex(-1).setLastDetectionIndex(-1) : stored.toBuilder();
    }

    /** Emits every pending detection of {@code camera} whose window is complete or that waited too long. */
    private void completeReady(String camera, CameraProgress.Builder progress, long timestamp) {
        int t = builder.settings().t();
        long now = context.currentSystemTimeMs();
        for (KeyValue<String, PendingDetections> kv : pending.range(CameraKeys.first(camera), CameraKeys.last(camera))) {
            long i = CameraKeys.indexOf(kv.key);
            PendingDetections p = kv.value;
            boolean overdue = now - p.getReceivedAtMs() >= maxWait.toMillis();
            boolean middleThere = frames.contains(CameraKeys.of(camera, i));
            boolean windowClosed = progress.getLastFrameIndex() >= i + t || progress.getEnded();
            boolean middleLost = !middleThere && (progress.getLastFrameIndex() > i || progress.getEnded()
                    || i < progress.getRetainedFrom());
            if (middleThere && (windowClosed || overdue)) {
                emit(camera, p, timestamp);
                pending.delete(kv.key);
            } else if (middleLost || (overdue && !middleThere)) {
                guard.deadLetter(camera, p.getDetections().toByteArray(), timestamp, "frame-missing", "the frame " + i
                        + " of camera " + camera + " that " + p.getDetections().getDetectionsCount()
                        + " detections refer to never arrived or was evicted", null);
                pending.delete(kv.key);
            }
        }
    }

    /**
     * The frame's sequences, in a span from the detections' arrival to now (the wait for frames i+1..i+t included), a
     * child of the detector's span; the sequences carry it on.
     */
    private void emit(String camera, PendingDetections waited, long timestamp) {
        FrameDetections detections = waited.getDetections();
        Span span = tracing.span("assemble sequences", waited.getTraceparent(), waited.getReceivedAtMs())
                .setAttribute(RecordTracing.FRAME_INDEX, detections.getFrameIndex())
                .setAttribute(RecordTracing.OBJECTS, (long) detections.getDetectionsCount());
        try {
            emit(camera, detections, span, timestamp);
        } finally {
            span.end();
        }
    }

    private void emit(String camera, FrameDetections detections, Span span, long timestamp) {
        WindowPlan plan = WindowPlan.plan(detections.getFrameIndex(), builder.settings().t(),
                idx -> idx >= 0 && frames.contains(CameraKeys.of(camera, idx)));
        List<ObjectSequence> built = new ArrayList<>();
        for (SequenceBuilder.Outcome o : builder.build(detections, plan, idx -> decode(camera, idx))) {
            if (o instanceof SequenceBuilder.Built b) {
                built.add(b.sequence());
                metrics.sequenceEmitted(b.sequence().getPadded());
            } else if (o instanceof SequenceBuilder.Failed f) {
                guard.deadLetter(camera, detections.toByteArray(), timestamp, "sequence", f.reason(), f.cause());
            }
        }
        if (scoring == null) {
            for (ObjectSequence s : built) {
                context.forward(new Record<>(camera, s.toByteArray(), timestamp, RecordTracing.headers(span)), AssemblerTopology.SEQUENCES_SINK);
            }
        } else if (!built.isEmpty()) {
            score(camera, built, span, timestamp);
        }
    }

    /** Scoring in this process: the frame's objects in one model call, and only their scores reach the broker. */
    private void score(String camera, List<ObjectSequence> built, Span span, long timestamp) {
        List<SequenceScoring.Outcome> outcomes = scoring.score(built);
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof SequenceScoring.Scored s) {
                context.forward(new Record<>(camera, s.score().toByteArray(), timestamp, RecordTracing.headers(span)), AssemblerTopology.OBJECT_SCORES_SINK);
                metrics.scored(s.ignoredZone());
            } else if (outcomes.get(i) instanceof SequenceScoring.Rejected r) {
                guard.deadLetter(camera, built.get(i).toByteArray(), timestamp, "model", r.reason(), null);
            }
        }
    }

    private RgbImage decode(String camera, long index) {
        String k = CameraKeys.of(camera, index);
        RgbImage image = decoded.get(k);
        if (image == null) {
            image = codec.decode(frames.get(k).getJpeg().toByteArray());
            decoded.put(k, image);
        }
        return image;
    }

    /**
     * Drops frames no window can need any more: below the oldest pending detection and the next detection to come,
     * minus t; and beyond {@code maxFramesPerCamera} frames, the oldest (detections lagging that far are late).
     */
    private void evict(String camera, CameraProgress.Builder progress) {
        int t = builder.settings().t();
        long needed = progress.getLastDetectionIndex() + 1;
        String oldestPending = pending.firstKey(CameraKeys.first(camera), CameraKeys.last(camera));
        if (oldestPending != null) {
            needed = Math.min(needed, CameraKeys.indexOf(oldestPending));
        }
        long keepFrom = Math.max(needed - t, progress.getLastFrameIndex() - maxFramesPerCamera + 1);
        long from = progress.getRetainedFrom();
        if (keepFrom <= from) {
            return;
        }
        for (String k : frames.keys(CameraKeys.of(camera, from), CameraKeys.of(camera, keepFrom - 1))) {
            frames.delete(k);
            decoded.remove(k);
        }
        progress.setRetainedFrom(keepFrom);
    }

    /** Wall-clock punctuation: detections that waited {@code maxWait} are completed with the frames there are. */
    private void completeOverdue(long now) {
        for (String k : clock.takeDated()) {
            PendingDetections p = pending.get(k);
            if (p != null) {
                pending.put(k, p.toBuilder().setReceivedAtMs(PunctuationClock.redate(p.getReceivedAtMs(), now)).build());
            }
        }
        for (KeyValue<String, CameraProgress> kv : cameras.all()) {
            try {
                CameraProgress.Builder progress = kv.value.toBuilder();
                completeReady(kv.key, progress, now);
                boolean waiting = pending.firstKey(CameraKeys.first(kv.key), CameraKeys.last(kv.key)) != null;
                if (!waiting && now - progress.getLastFrameAtMs() >= cameraRetention.toMillis()) {
                    forget(kv.key);
                    continue;
                }
                evict(kv.key, progress);
                cameras.put(kv.key, progress.build());
            } catch (RuntimeException e) {
                // No record to dead-letter here: the camera's state is what fails, so it goes, not the stream thread.
                LOG.errorf(e, "camera=%s cannot be completed; its state is dropped", kv.key);
                metrics.rejected("failed");
                for (String k : pending.keys(CameraKeys.first(kv.key), CameraKeys.last(kv.key))) {
                    pending.delete(k);
                }
                forget(kv.key);
            }
        }
    }

    /** A camera quiet for the retention, with nothing waiting: its frames and progress go. */
    private void forget(String camera) {
        LOG.infof("camera=%s without frames for the retention: forgotten", camera);
        for (String k : frames.keys(CameraKeys.first(camera), CameraKeys.last(camera))) {
            frames.delete(k);
            decoded.remove(k);
        }
        cameras.delete(camera);
    }
}
