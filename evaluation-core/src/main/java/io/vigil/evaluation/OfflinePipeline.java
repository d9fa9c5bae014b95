package io.vigil.evaluation;

import com.google.protobuf.ByteString;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.ObjectScores;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.WindowPlan;
import io.vigil.evaluation.metrics.RegionTrackDetection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The streaming chain without Kafka, from the same classes the services run: {@link FrameDetector} (object-detector),
 * {@link SequenceBuilder} with {@link WindowPlan} (sequence-assembler), {@link SsmtlScorer} (anomaly-scorer) and
 * {@link AlertTimeline} (alert-sink). Frame scores come out as the alert-sink writes them to vigil.frame-scores.
 * Besides the configured score it computes frame scores of other {@link Variant}s (each task alone, by default) from
 * the same model outputs.
 */
public final class OfflinePipeline {

    /** The headline variant: the model's tasks, the alert-sink's settings. */
    public static final String ALL = "all";

    /** One way of scoring the same objects: an object's score from its task scores, and the alert-sink's settings. */
    public record Variant(String name, ToDoubleFunction<SsmtlScorer.Scores> objectScore, AlertTimeline.Settings timeline) {
    }

    /**
     * Per video: smoothed frame scores per variant, the scored objects (for RBDC/TBDC and the object table), the event
     * announcements of all tasks with the alert-sink's rules (empty when read from a deployment), counts.
     */
    public record VideoResult(String id, Map<String, float[]> frameScores, Map<String, float[]> rawFrameScores,
            int[] objectsPerFrame, List<ScoredObject> objects, List<Announced> events, int detections, int sequences,
            double seconds) {

        /** The objects' regions with their scores, as RBDC and TBDC take them. */
        public List<RegionTrackDetection.Prediction> regions() {
            return objects.stream().map(ScoredObject::prediction).toList();
        }
    }

    /** An object's box in its middle frame, its score, and each task's raw score (NaN where it has none). */
    public record ScoredObject(RegionTrackDetection.Prediction prediction, SsmtlScorer.Scores tasks) {
    }

    /** An event announcement and the last frame the chain had read when it was made. */
    public record Announced(EventDetector.Event event, long atFrame) {
    }

    private final FrameDetector detector;
    private final SequenceBuilder builder;
    private final SsmtlScorer scorer;
    private final List<Variant> variants;
    private final int t;
    private final int batch;
    private final ImageCodec codec = new ImageCodec();
    /** Videos already run, by folder; null unless {@link #remembering()}. */
    private final Map<Path, Remembered> remembered;
    /** Runs in this process, over every pipeline (those of {@link #withVariants} share the detector). */
    private static final java.util.concurrent.atomic.AtomicLong RUNS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Scores {@link #ALL} (the model's tasks) and each task alone. {@code detector} may be null where only
     * {@link #score} is used.
     */
    public OfflinePipeline(FrameDetector detector, SequenceBuilder builder, SsmtlScorer scorer, AlertTimeline.Settings timeline,
            int batch) {
        this(detector, builder, scorer, defaultVariants(scorer, timeline), batch, null);
    }

    private OfflinePipeline(FrameDetector detector, SequenceBuilder builder, SsmtlScorer scorer, List<Variant> variants,
            int batch, Map<Path, Remembered> remembered) {
        if (variants.isEmpty() || !variants.get(0).name().equals(ALL)) {
            throw new IllegalArgumentException("the first variant must be " + ALL);
        }
        this.detector = detector;
        this.builder = builder;
        this.scorer = scorer;
        this.variants = List.copyOf(variants);
        this.t = builder.settings().t();
        this.batch = batch;
        this.remembered = remembered;
    }

    /** The same chain scoring {@code others} (the first one {@link #ALL}, whose events and objects are kept). */
    public OfflinePipeline withVariants(List<Variant> others) {
        return new OfflinePipeline(detector, builder, scorer, others, batch, remembered);
    }

    /**
     * The same chain, keeping each video's detections and model scores (shared with its {@link #withVariants}): a
     * second run of a video with other variants repeats neither, only the cropping and the frame scores. For video
     * run twice, as the folds' normal video is (once for the cues' scales, once for false alarms).
     */
    public OfflinePipeline remembering() {
        return new OfflinePipeline(detector, builder, scorer, variants, batch, new java.util.concurrent.ConcurrentHashMap<>());
    }

    /** A video's detections, one message per frame, and its objects' model scores by frame. */
    private record Remembered(List<FrameDetections> detections, Map<Long, List<SsmtlScorer.Scores>> scores) {
    }

    /** The variant name of one task scoring alone. */
    public static String alone(SsmtlScorer.Task task) {
        return task.output + " alone";
    }

    private static List<Variant> defaultVariants(SsmtlScorer scorer, AlertTimeline.Settings timeline) {
        List<Variant> out = new ArrayList<>();
        Set<SsmtlScorer.Task> headline = scorer.defaultTasks();
        out.add(new Variant(ALL, s -> scorer.scoreOf(s, headline), timeline));
        for (SsmtlScorer.Task task : scorer.tasks()) {
            out.add(new Variant(alone(task), s -> scorer.scoreOf(s, EnumSet.of(task)), timeline));
        }
        return out;
    }

    public VideoResult run(Datasets.LabelledVideo video, Consumer<String> progress) throws IOException {
        long start = System.nanoTime();
        String camera = video.id();
        // Each run is a camera of its own to a detector that keeps state per camera (the motion detector's
        // background): normal video 01 after test video 01 must not start on that video's background.
        String stream = camera + "#" + RUNS.incrementAndGet();
        int n = video.frames().size();
        List<Frame> frames = new ArrayList<>(n);
        List<RgbImage> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] bytes = Files.readAllBytes(video.frames().get(i));
            RgbImage image = codec.decode(bytes);
            images.add(image);
            // TIFF/PNG frames are re-encoded as the ingest does; JPEGs pass through.
            byte[] jpeg = isJpeg(bytes) ? bytes : codec.encodeJpeg(image, 95);
            frames.add(Frame.newBuilder().setCameraId(stream).setFrameIndex(i).setCaptureTimeMs(i * 40L)
                    .setWidth(image.width()).setHeight(image.height()).setJpeg(ByteString.copyFrom(jpeg)).build());
        }
        Path folder = n == 0 ? null : video.frames().get(0).getParent();
        Remembered before = remembered == null || folder == null ? null : remembered.get(folder);
        if (before != null) {
            progress.accept(String.format("video %s: %d frames, detected and scored before", camera, n));
            return score(camera, images, before.detections(), start, progress, before.scores());
        }
        List<FrameDetections> detections = new ArrayList<>(n);
        for (int from = 0; from < n; from += batch) {
            for (FrameDetector.Outcome o : detector.process(frames.subList(from, Math.min(n, from + batch)))) {
                if (o instanceof FrameDetector.Detected d) {
                    detections.add(d.detections());
                } else {
                    throw new IOException("video " + camera + ": " + ((FrameDetector.Rejected) o).reason());
                }
            }
        }
        progress.accept(String.format("video %s: %d frames, %d objects detected", camera, n,
                detections.stream().mapToInt(FrameDetections::getDetectionsCount).sum()));
        Map<Long, List<SsmtlScorer.Scores>> scores = new HashMap<>();
        VideoResult result = score(camera, images, detections, start, progress, scores);
        if (remembered != null && folder != null) {
            remembered.put(folder, new Remembered(detections, scores));
        }
        return result;
    }

    /**
     * The rest of the chain on frames already detected (one detection message per frame, in order): sequences,
     * scores, frame scores and events.
     */
    public VideoResult score(String camera, List<RgbImage> images, List<FrameDetections> detections,
            Consumer<String> progress) {
        return score(camera, images, detections, System.nanoTime(), progress, new HashMap<>());
    }

    /** The sequences the assembler would cut for a frame's objects, from the video's frames around it. */
    private List<ObjectSequence> sequences(FrameDetections d, List<RgbImage> images) {
        WindowPlan plan = WindowPlan.plan(d.getFrameIndex(), t, i -> i >= 0 && i < images.size());
        List<ObjectSequence> built = new ArrayList<>();
        for (SequenceBuilder.Outcome o : builder.build(d, plan, i -> images.get((int) i))) {
            if (o instanceof SequenceBuilder.Built b) {
                built.add(b.sequence());
            }
        }
        return built;
    }

    /** The scorer's scores, 32 objects per model run. */
    private List<SsmtlScorer.Scores> scoreInBatches(List<ObjectSequence> built) {
        List<SsmtlScorer.Scores> scores = new ArrayList<>();
        for (int from = 0; from < built.size(); from += 32) {
            scores.addAll(scorer.score(built.subList(from, Math.min(built.size(), from + 32))));
        }
        return scores;
    }

    /** {@code scores}: the objects' model scores by frame, filled here where missing. */
    private VideoResult score(String camera, List<RgbImage> images, List<FrameDetections> detections, long start,
            Consumer<String> progress, Map<Long, List<SsmtlScorer.Scores>> scores) {
        int n = images.size();

        Map<String, AlertTimeline> timelines = new LinkedHashMap<>();
        Map<String, float[]> smoothed = new LinkedHashMap<>();
        Map<String, float[]> raw = new LinkedHashMap<>();
        for (Variant v : variants) {
            timelines.put(v.name(), new AlertTimeline(camera, v.timeline()));
            smoothed.put(v.name(), new float[n]);
            raw.put(v.name(), new float[n]);
        }
        int[] objectsPerFrame = new int[n];
        List<Announced> events = new ArrayList<>();
        List<ScoredObject> objects = new ArrayList<>();
        int sequences = 0;
        for (FrameDetections d : detections) {
            List<ObjectSequence> built = sequences(d, images);
            sequences += built.size();
            if (d.getFrameIndex() >= 0 && d.getFrameIndex() < n) {
                objectsPerFrame[(int) d.getFrameIndex()] = built.size();
            }
            List<SsmtlScorer.Scores> modelScores = scores.computeIfAbsent(d.getFrameIndex(), f -> scoreInBatches(built));
            for (Variant v : variants) {
                AlertTimeline tl = timelines.get(v.name());
                boolean all = v.name().equals(ALL);
                collect(tl.onDetections(d), smoothed.get(v.name()), raw.get(v.name()), all ? events : null, d.getFrameIndex());
                for (int k = 0; k < built.size(); k++) {
                    ObjectSequence s = built.get(k);
                    float score = (float) v.objectScore().applyAsDouble(modelScores.get(k));
                    ObjectScore os = ObjectScores.of(s, modelScores.get(k), scorer.cueSurprises(modelScores.get(k)),
                            "offline")
                            .toBuilder().setScore(score).build();
                    collect(tl.onObjectScore(os), smoothed.get(v.name()), raw.get(v.name()), all ? events : null,
                            d.getFrameIndex());
                    if (all) {
                        var b = s.getDetection().getBox();
                        objects.add(new ScoredObject(new RegionTrackDetection.Prediction(new RegionTrackDetection.Region(
                                camera, s.getMiddleFrameIndex(), b.getX1(), b.getY1(), b.getX2() - 1, b.getY2() - 1), score),
                                modelScores.get(k)));
                    }
                }
            }
        }
        for (Variant v : variants) {
            collect(timelines.get(v.name()).flush(), smoothed.get(v.name()), raw.get(v.name()),
                    v.name().equals(ALL) ? events : null, n - 1);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.accept(String.format("video %s: %d sequences scored, %.1f s (%.1f frames/s)", camera, sequences, seconds,
                n / seconds));
        return new VideoResult(camera, smoothed, raw, objectsPerFrame, objects, events, detections.stream()
                .mapToInt(FrameDetections::getDetectionsCount).sum(), sequences, seconds);
    }

    private static void collect(AlertTimeline.Output out, float[] smoothed, float[] raw, List<Announced> events, long at) {
        if (events != null) {
            out.announcements().forEach(a -> events.add(new Announced(a.event(), at)));
        }
        for (AlertTimeline.FrameResult f : out.frames()) {
            if (f.frameIndex() >= 0 && f.frameIndex() < smoothed.length) {
                smoothed[(int) f.frameIndex()] = f.smoothedScore();
                raw[(int) f.frameIndex()] = f.rawScore();
            }
        }
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8;
    }
}
