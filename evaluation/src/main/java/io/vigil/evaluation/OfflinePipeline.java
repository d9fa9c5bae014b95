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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The streaming chain without Kafka, from the same classes the services run: {@link FrameDetector} (object-detector),
 * {@link SequenceBuilder} with {@link WindowPlan} (sequence-assembler), {@link SsmtlScorer} (anomaly-scorer) and
 * {@link AlertTimeline} (alert-sink). Frame scores come out as the alert-sink writes them to vigil.frame-scores.
 * Besides the configured score it computes frame scores of each task alone (ablation) from the same model outputs.
 */
public final class OfflinePipeline {

    /** The score variants of the ablation: all enabled tasks, then each task alone. */
    public static final String ALL = "all";
    /** The paper's four tasks, without the speed. */
    public static final String PAPER_TASKS = "paper's four tasks";

    /**
     * Per video: smoothed frame scores per variant, the object regions with scores (for RBDC/TBDC), the event
     * announcements of all tasks with the alert-sink's rules (empty when read from a deployment), counts.
     */
    public record VideoResult(String id, Map<String, float[]> frameScores, float[] rawFrameScores,
            List<RegionTrackDetection.Prediction> regions, List<Announced> events, int detections, int sequences,
            double seconds) {
    }

    /** An event announcement and the last frame the chain had read when it was made. */
    public record Announced(EventDetector.Event event, long atFrame) {
    }

    private final FrameDetector detector;
    private final SequenceBuilder builder;
    private final SsmtlScorer scorer;
    private final AlertTimeline.Settings timeline;
    private final int t;
    private final int batch;
    private final ImageCodec codec = new ImageCodec();

    /** {@code detector} may be null where only {@link #score} is used. */
    public OfflinePipeline(FrameDetector detector, SequenceBuilder builder, SsmtlScorer scorer, AlertTimeline.Settings timeline,
            int batch) {
        this.detector = detector;
        this.builder = builder;
        this.scorer = scorer;
        this.timeline = timeline;
        this.t = builder.settings().t();
        this.batch = batch;
    }

    public VideoResult run(Datasets.LabelledVideo video, Consumer<String> progress) throws IOException {
        long start = System.nanoTime();
        String camera = video.id();
        int n = video.frames().size();
        List<Frame> frames = new ArrayList<>(n);
        List<RgbImage> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] bytes = Files.readAllBytes(video.frames().get(i));
            RgbImage image = codec.decode(bytes);
            images.add(image);
            // TIFF/PNG frames are re-encoded as the ingest does; JPEGs pass through.
            byte[] jpeg = isJpeg(bytes) ? bytes : codec.encodeJpeg(image, 95);
            frames.add(Frame.newBuilder().setCameraId(camera).setFrameIndex(i).setCaptureTimeMs(i * 40L)
                    .setWidth(image.width()).setHeight(image.height()).setJpeg(ByteString.copyFrom(jpeg)).build());
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
        return score(camera, images, detections, start, progress);
    }

    /**
     * The rest of the chain on frames already detected (one detection message per frame, in order): sequences,
     * scores, frame scores and events.
     */
    public VideoResult score(String camera, List<RgbImage> images, List<FrameDetections> detections,
            Consumer<String> progress) {
        return score(camera, images, detections, System.nanoTime(), progress);
    }

    private VideoResult score(String camera, List<RgbImage> images, List<FrameDetections> detections, long start,
            Consumer<String> progress) {
        int n = images.size();

        Map<String, Set<SsmtlScorer.Task>> variants = new LinkedHashMap<>();
        variants.put(ALL, scorer.tasks());
        if (scorer.tasks().contains(SsmtlScorer.Task.SPEED) && scorer.tasks().size() > 1) {
            EnumSet<SsmtlScorer.Task> paper = EnumSet.copyOf(scorer.tasks());
            paper.remove(SsmtlScorer.Task.SPEED);
            variants.put(PAPER_TASKS, paper);
        }
        for (SsmtlScorer.Task task : scorer.tasks()) {
            variants.put(task.output, EnumSet.of(task));
        }
        Map<String, AlertTimeline> timelines = new LinkedHashMap<>();
        Map<String, float[]> smoothed = new LinkedHashMap<>();
        variants.keySet().forEach(v -> {
            timelines.put(v, new AlertTimeline(camera, timeline));
            smoothed.put(v, new float[n]);
        });
        float[] raw = new float[n];
        List<Announced> events = new ArrayList<>();
        List<RegionTrackDetection.Prediction> regions = new ArrayList<>();
        int sequences = 0;
        for (FrameDetections d : detections) {
            WindowPlan plan = WindowPlan.plan(d.getFrameIndex(), t, i -> i >= 0 && i < n);
            List<ObjectSequence> built = new ArrayList<>();
            for (SequenceBuilder.Outcome o : builder.build(d, plan, i -> images.get((int) i))) {
                if (o instanceof SequenceBuilder.Built b) {
                    built.add(b.sequence());
                }
            }
            sequences += built.size();
            List<SsmtlScorer.Scores> scores = new ArrayList<>();
            for (int from = 0; from < built.size(); from += 32) {
                scores.addAll(scorer.score(built.subList(from, Math.min(built.size(), from + 32))));
            }
            for (var e : variants.entrySet()) {
                AlertTimeline tl = timelines.get(e.getKey());
                boolean all = e.getKey().equals(ALL);
                collect(tl.onDetections(d), smoothed.get(e.getKey()), all ? raw : null, all ? events : null, d.getFrameIndex());
                for (int k = 0; k < built.size(); k++) {
                    ObjectSequence s = built.get(k);
                    float score = all ? scores.get(k).score() : scorer.scoreOf(scores.get(k), e.getValue());
                    ObjectScore os = ObjectScores.of(s, scores.get(k), "offline").toBuilder().setScore(score).build();
                    collect(tl.onObjectScore(os), smoothed.get(e.getKey()), all ? raw : null, all ? events : null,
                            d.getFrameIndex());
                    if (all) {
                        var b = s.getDetection().getBox();
                        regions.add(new RegionTrackDetection.Prediction(new RegionTrackDetection.Region(camera,
                                s.getMiddleFrameIndex(), b.getX1(), b.getY1(), b.getX2() - 1, b.getY2() - 1), score));
                    }
                }
            }
        }
        for (var e : timelines.entrySet()) {
            boolean all = e.getKey().equals(ALL);
            collect(e.getValue().flush(), smoothed.get(e.getKey()), all ? raw : null, all ? events : null, n - 1);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.accept(String.format("video %s: %d sequences scored, %.1f s (%.1f frames/s)", camera, sequences, seconds,
                n / seconds));
        return new VideoResult(camera, smoothed, raw, regions, events, detections.stream()
                .mapToInt(FrameDetections::getDetectionsCount).sum(), sequences, seconds);
    }

    private static void collect(AlertTimeline.Output out, float[] smoothed, float[] raw, List<Announced> events, long at) {
        if (events != null) {
            out.announcements().forEach(a -> events.add(new Announced(a.event(), at)));
        }
        for (AlertTimeline.FrameResult f : out.frames()) {
            if (f.frameIndex() >= 0 && f.frameIndex() < smoothed.length) {
                smoothed[(int) f.frameIndex()] = f.smoothedScore();
                if (raw != null) {
                    raw[(int) f.frameIndex()] = f.rawScore();
                }
            }
        }
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8;
    }
}
