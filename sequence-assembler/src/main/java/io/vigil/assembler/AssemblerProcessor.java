package io.vigil.assembler;

import io.vigil.common.image.ImageCodec;
import io.vigil.common.image.RgbImage;
import io.vigil.common.kafka.DeadLetters;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.WindowPlan;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.CameraProgress;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.proto.v1.PendingDetections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

/**
 * Joins one partition's frames and detections (both keyed by camera) into object sequences.
 *
 * <p>Frames are kept per camera in a persistent store until no future detection can need them; detections wait
 * in another store until frames i-t..i+t are there. A detection of frame i is complete when frame i is stored and
 * no frame of its window can still come (frames of a camera arrive in order: the last frame seen is at least i+t,
 * or the camera's source ended). After {@code maxWait} of wall-clock time it is completed with what is there.
 * Missing frames are padded with the nearest one ({@link WindowPlan}). Every detection gets exactly one sequence,
 * or a dead letter saying why not.
 */
final class AssemblerProcessor implements Processor<String, byte[], String, byte[]> {

    static final String STAGE = "sequence-assembler";
    private static final int DECODED_CACHE = 48;

    private final SequenceBuilder builder;
    private final Duration maxWait;
    private final Duration punctuateEvery;
    private final int maxFramesPerCamera;
    private final AssemblerMetrics metrics;
    private final ImageCodec codec = new ImageCodec();
    /** Decoded frames: each frame is cropped for up to 2t+1 windows and several objects; derived, not state. */
    private final Map<String, RgbImage> decoded = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RgbImage> eldest) {
            return size() > DECODED_CACHE;
        }
    };

    /** Pending detections stored since the last overdue check. */
    private final Set<String> pendingSinceLastCheck = new HashSet<>();

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> frames;
    private KeyValueStore<String, byte[]> pending;
    private KeyValueStore<String, byte[]> cameras;

    AssemblerProcessor(SequenceBuilder builder, Duration maxWait, Duration punctuateEvery, int maxFramesPerCamera,
            AssemblerMetrics metrics) {
        this.builder = builder;
        this.maxWait = maxWait;
        this.punctuateEvery = punctuateEvery;
        this.maxFramesPerCamera = maxFramesPerCamera;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.frames = context.getStateStore(Topics.Stores.ASSEMBLER_FRAMES);
        this.pending = context.getStateStore(Topics.Stores.ASSEMBLER_PENDING);
        this.cameras = context.getStateStore(Topics.Stores.ASSEMBLER_CAMERAS);
        context.schedule(punctuateEvery, PunctuationType.WALL_CLOCK_TIME, this::completeOverdue);
    }

    static String key(String camera, long index) {
        return camera + "|" + String.format("%020d", index);
    }

    private static long indexOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        try {
            if (Topics.FRAMES.equals(topic)) {
                onFrame(record, VigilSerdes.FRAME.deserializer().parse(record.value(), origin()));
            } else {
                onDetections(record, VigilSerdes.FRAME_DETECTIONS.deserializer().parse(record.value(), origin()));
            }
        } catch (MalformedMessageException | NullPointerException e) {
            deadLetter(record.key(), record.value(), record.timestamp(), "malformed", e.getMessage() == null
                    ? "empty record on " + origin() : e.getMessage(), e);
        } catch (MessageChecks.InvalidMessageException e) {
            deadLetter(record.key(), record.value(), record.timestamp(), "invalid", e.getMessage() + " at " + origin(), e);
        }
    }

    private String origin() {
        return context.recordMetadata().map(m -> "topic " + m.topic() + " partition " + m.partition() + " offset "
                + m.offset()).orElse("unknown record");
    }

    private void onFrame(Record<String, byte[]> record, Frame frame) {
        MessageChecks.frame(record.key(), frame);
        String camera = frame.getCameraId();
        CameraProgress.Builder progress = progress(camera);
        if (frame.getFrameIndex() < progress.getRetainedFrom()) {
            return; // replayed after its window was closed and evicted: nothing can use it any more
        }
        frames.put(key(camera, frame.getFrameIndex()), record.value());
        progress.setLastFrameIndex(Math.max(progress.getLastFrameIndex(), frame.getFrameIndex()))
                .setWidth(frame.getWidth()).setHeight(frame.getHeight())
                .setEnded(progress.getEnded() || frame.getEndOfSource())
                .setLastFrameAtMs(context.currentSystemTimeMs());
        completeReady(camera, progress, record.timestamp());
        evict(camera, progress);
        cameras.put(camera, progress.build().toByteArray());
    }

    private void onDetections(Record<String, byte[]> record, FrameDetections detections) {
        MessageChecks.detections(record.key(), detections);
        String camera = detections.getCameraId();
        CameraProgress.Builder progress = progress(camera);
        progress.setLastDetectionIndex(Math.max(progress.getLastDetectionIndex(), detections.getFrameIndex()));
        if (detections.getDetectionsCount() > 0) {
            pending.put(key(camera, detections.getFrameIndex()), PendingDetections.newBuilder().setDetections(detections)
                    .setReceivedAtMs(context.currentSystemTimeMs()).build().toByteArray());
            pendingSinceLastCheck.add(key(camera, detections.getFrameIndex()));
            completeReady(camera, progress, record.timestamp());
        }
        evict(camera, progress);
        cameras.put(camera, progress.build().toByteArray());
    }

    private CameraProgress.Builder progress(String camera) {
        byte[] stored = cameras.get(camera);
        return stored == null ? CameraProgress.newBuilder().setLastFrameIndex(-1).setLastDetectionIndex(-1)
                : VigilSerdes.CAMERA_PROGRESS.deserializer().parse(stored, "store " + Topics.Stores.ASSEMBLER_CAMERAS).toBuilder();
    }

    /** Emits every pending detection of {@code camera} whose window is complete or that waited too long. */
    private void completeReady(String camera, CameraProgress.Builder progress, long timestamp) {
        List<KeyValue<String, byte[]>> waiting = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.range(key(camera, 0), key(camera, Long.MAX_VALUE))) {
            it.forEachRemaining(waiting::add);
        }
        int t = builder.settings().t();
        long now = context.currentSystemTimeMs();
        for (KeyValue<String, byte[]> kv : waiting) {
            long i = indexOf(kv.key);
            PendingDetections p = VigilSerdes.PENDING_DETECTIONS.deserializer().parse(kv.value, "store "
                    + Topics.Stores.ASSEMBLER_PENDING);
            boolean overdue = now - p.getReceivedAtMs() >= maxWait.toMillis();
            boolean middleThere = frames.get(key(camera, i)) != null;
            boolean windowClosed = progress.getLastFrameIndex() >= i + t || progress.getEnded();
            boolean middleLost = !middleThere && (progress.getLastFrameIndex() > i || progress.getEnded()
                    || i < progress.getRetainedFrom());
            if (middleThere && (windowClosed || overdue)) {
                emit(camera, p.getDetections(), timestamp);
                pending.delete(kv.key);
            } else if (middleLost || (overdue && !middleThere)) {
                deadLetter(camera, p.getDetections().toByteArray(), timestamp, "frame-missing", "the frame " + i
                        + " of camera " + camera + " that " + p.getDetections().getDetectionsCount()
                        + " detections refer to never arrived or was evicted", null);
                pending.delete(kv.key);
            }
        }
    }

    private void emit(String camera, FrameDetections detections, long timestamp) {
        WindowPlan plan = WindowPlan.plan(detections.getFrameIndex(), builder.settings().t(),
                idx -> idx >= 0 && frames.get(key(camera, idx)) != null);
        for (SequenceBuilder.Outcome o : builder.build(detections, plan, idx -> decode(camera, idx))) {
            if (o instanceof SequenceBuilder.Built b) {
                ObjectSequence s = b.sequence();
                context.forward(new Record<>(camera, s.toByteArray(), timestamp), AssemblerTopology.SEQUENCES_SINK);
                metrics.sequenceEmitted(s.getPadded());
            } else if (o instanceof SequenceBuilder.Failed f) {
                deadLetter(camera, detections.toByteArray(), timestamp, "sequence", f.reason(), f.cause());
            }
        }
    }

    private RgbImage decode(String camera, long index) {
        String k = key(camera, index);
        RgbImage image = decoded.get(k);
        if (image == null) {
            Frame f = VigilSerdes.FRAME.deserializer().parse(frames.get(k), "store " + Topics.Stores.ASSEMBLER_FRAMES);
            image = codec.decode(f.getJpeg().toByteArray());
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
        try (KeyValueIterator<String, byte[]> it = pending.range(key(camera, 0), key(camera, Long.MAX_VALUE))) {
            if (it.hasNext()) {
                needed = Math.min(needed, indexOf(it.next().key));
            }
        }
        long keepFrom = Math.max(needed - t, progress.getLastFrameIndex() - maxFramesPerCamera + 1);
        long from = progress.getRetainedFrom();
        if (keepFrom <= from) {
            return;
        }
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = frames.range(key(camera, from), key(camera, keepFrom - 1))) {
            it.forEachRemaining(kv -> old.add(kv.key));
        }
        old.forEach(k -> {
            frames.delete(k);
            decoded.remove(k);
        });
        progress.setRetainedFrom(keepFrom);
    }

    /** Wall-clock punctuation: detections that waited {@code maxWait} are completed with the frames there are. */
    private void completeOverdue(long now) {
        // The stream thread's cached clock that dated them can lag this punctuation's by seconds (the first batch
        // after start-up): count their wait from this check, late by at most one interval rather than early.
        for (String k : pendingSinceLastCheck) {
            byte[] stored = pending.get(k);
            if (stored != null) {
                PendingDetections p = VigilSerdes.PENDING_DETECTIONS.deserializer().parse(stored, "store "
                        + Topics.Stores.ASSEMBLER_PENDING);
                pending.put(k, p.toBuilder().setReceivedAtMs(Math.max(now, p.getReceivedAtMs())).build().toByteArray());
            }
        }
        pendingSinceLastCheck.clear();
        List<String> all = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = cameras.all()) {
            it.forEachRemaining(kv -> all.add(kv.key));
        }
        for (String camera : all) {
            CameraProgress.Builder progress = progress(camera);
            completeReady(camera, progress, now);
            evict(camera, progress);
            cameras.put(camera, progress.build().toByteArray());
        }
    }

    private void deadLetter(String key, byte[] value, long timestamp, String kind, String reason, Throwable cause) {
        metrics.rejected(kind);
        String source = context.recordMetadata().map(RecordMetadata::topic).orElse(STAGE);
        context.forward(new Record<>(key, value, timestamp, DeadLetters.headers(STAGE, reason, source, cause)),
                AssemblerTopology.DEAD_LETTER_SINK);
    }
}
