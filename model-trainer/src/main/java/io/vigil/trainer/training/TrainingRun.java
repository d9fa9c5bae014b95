package io.vigil.trainer.training;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.registry.CameraEventSettings;
import io.vigil.common.scoring.Calibrator;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.scoring.ThresholdCalibration;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.evaluation.OfflinePipeline;
import io.vigil.evaluation.footage.Clip;
import io.vigil.evaluation.footage.Footage;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.EventThresholds;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.TrainingRange;
import io.vigil.trainer.data.ImageNetTeacher;
import io.vigil.trainer.data.ObjectClips;
import io.vigil.trainer.export.ExportParity;
import io.vigil.trainer.export.OnnxExporter;
import io.vigil.trainer.network.Architecture;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.trainer.network.TorchRuntime;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.image.CropBox;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import io.vigil.vision.onnx.OnnxMetadata;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A whole training job: detect objects in the normal training videos (cached), compute the teacher's targets,
 * train for the configured epochs with progress and a checkpoint per epoch (resumable), measure the task score
 * distributions for calibration, export to ONNX and check parity.
 */
public final class TrainingRun {

    /**
     * Everything a run is configured with; {@code threads} are PyTorch's intra-op threads (0: one per core). The
     * footage's held-out clips are kept out of training: the epoch is chosen on their loss and the model is calibrated
     * on their objects (none: calibrated on the training clips, optimistic).
     */
    /** A run: what it learns from, how it learns, and where and how it runs. */
    public record Options(Sources sources, Schedule schedule, Job job) {
    }

    /** What is learnt from: the normal footage, its objects and their windows, and an optional ImageNet teacher. */
    public record Sources(Footage footage, DetectorSpec detector, DetectionFilter detections, SequenceSettings sequences,
            Path teacher) {
    }

    /** How it learns: the network and the optimisation (objectFraction: the share of objects seen per epoch). */
    public record Schedule(Architecture architecture, int epochs, int batch, float learningRate, float lambda, int maxGap,
            double objectFraction, long seed) {
    }

    /** Where and how it runs: its output folder, resuming, threads, and the footage's frame rate and event budget. */
    public record Job(Path out, boolean resume, int threads, double fps, double eventsPerDay) {
    }

    /**
     * What a finished run produced: the model, what it was trained on, its held-out losses, and event thresholds
     * chosen on the held-out clips (null without any).
     */
    public record Result(Path model, TrainingRange range, TaskLosses heldOut, int epoch, EventThresholds thresholds) {
    }

    /** A run stopped on request ({@link #stop}) between two training steps. */
    public static final class Stopped extends RuntimeException {
        Stopped(String message) {
            super(message);
        }
    }

    private final Sources sources;
    private final Schedule schedule;
    private final Job job;
    private final PrintStream log;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch ended = new CountDownLatch(1);

    public TrainingRun(Options options, PrintStream log) {
        this.sources = options.sources();
        this.schedule = options.schedule();
        this.job = options.job();
        this.log = log;
    }

    /**
     * Asks the running job to stop after the training step in progress, and waits up to {@code grace} for it to let
     * go of PyTorch: a JVM that exits while a step runs in native code crashes on the way out. True when it did.
     */
    public boolean stop(Duration grace) throws InterruptedException {
        stopRequested.set(true);
        return ended.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs the job; returns the exported model. Throws {@link Stopped} when {@link #stop} ended it early. */
    public Result run() throws Exception {
        try {
            return train();
        } finally {
            ended.countDown();
        }
    }

    private Result train() throws Exception {
        Files.createDirectories(job.out());
        long start = System.nanoTime();
        TorchRuntime.useThreads(job.threads());
        log.println("numeric environment: " + TorchRuntime.describe());
        TorchRuntime.hugePagesAdvice().ifPresent(advice -> log.println("WARNING: " + advice));
        Data d = data();
        SsmtlNetwork net = new SsmtlNetwork(schedule.architecture(), sources.sequences().length(), d.clips().distillOutputs());
        try (SsmtlTrainer trainer = new SsmtlTrainer(net, schedule.learningRate(), schedule.lambda(), schedule.seed())) {
            int firstEpoch = job.resume() ? loadCheckpoint(trainer) + 1 : 1;
            LossCurves curves = LossCurves.open(job.out(), firstEpoch);
            TaskLosses last = epochs(trainer, d, curves, firstEpoch);
            int best = curves.bestEpoch();
            trainer.load(job.out().resolve(epochParameters(best)));
            reestimateBatchNorm(trainer, d.clips(), d.objects()); // again: epochs saved by earlier versions lack it
            log.printf("using epoch %d (%s)%n", best, d.validation().isEmpty() ? "the last; no held-out videos"
                    : "lowest held-out loss");
            if (!d.validation().isEmpty()) { // as exported: checkpoints of earlier versions were validated otherwise
                log.printf("epoch %d as exported: held-out %s%n", best, validate(trainer, d.validation()));
            }
            Path onnx = job.out().resolve("ssmtl-" + schedule.architecture().id() + ".onnx");
            OnnxExporter.export(net, metadata(d, best), onnx);
            ObjectClips.Batch probe = d.clips().batch(d.objects().subList(0, Math.min(8, d.objects().size())), d.random());
            float diff = ExportParity.check(net, onnx, probe.forward(), probe.size());
            // Calibrated on the held-out clips, or on the training clips where none was held out or those held out show
            // no object (a clip no longer than the motion detector's warm-up, say).
            boolean heldOut = d.heldOutObjects() > 0;
            if (!d.holdout().isEmpty() && !heldOut) {
                log.printf("the held-out clips %s have no objects: calibrating on the training clips, no event thresholds%n",
                        d.holdout());
            }
            List<ObjectClips.Video> normal = d.clips().videos().stream()
                    .filter(v -> !heldOut || d.holdout().contains(v.id())).toList();
            OnnxMetadata.update(onnx, ModelCalibration.of(onnx, normal, sources.sequences(), Calibrator.Choice.defaults(),
                    job.threads(), log), onnx);
            log.printf("exported %s (parity max abs diff %.2e), calibrated on %s; final step losses %s; total time %s%n", onnx,
                    diff, heldOut ? "held-out clips " + d.holdout() : "the training clips", last,
                    duration((System.nanoTime() - start) / 1e9));
            EventThresholds thresholds = heldOut ? eventThresholds(onnx, normal, d.footage()) : null;
            return new Result(onnx, sources.footage().range().toBuilder().setObjects(d.objects().size()).build(),
                    curves.heldOut(best), best, thresholds);
        }
    }

    /**
     * What a run learns from: the footage's clips with their objects, those trained on (shuffled, the object fraction
     * of them) and the held-out clips' batches; {@code random} goes on to draw the batches.
     */
    private record Data(List<Clip> footage, List<String> holdout, ObjectClips clips, List<ObjectClips.ObjectRef> objects,
            int heldOutObjects, List<ObjectClips.Batch> validation, Random random) {
    }

    private Data data() throws Exception {
        List<Clip> footage = sources.footage().clips(log);
        List<String> holdout = footage.stream().filter(Clip::heldOut).map(Clip::id).toList();
        ObjectClips clips = new ObjectClips(loadVideos(footage, sources.detector(), sources.detections(),
                job.out().resolve("detections"), log), sources.sequences(), schedule.maxGap());
        if (sources.teacher() != null) {
            addTeacher(clips);
        }
        List<ObjectClips.ObjectRef> objects = new ArrayList<>();
        List<ObjectClips.ObjectRef> heldOut = new ArrayList<>();
        for (ObjectClips.ObjectRef ref : clips.objects()) {
            (holdout.contains(clips.videos().get(ref.video()).id()) ? heldOut : objects).add(ref);
        }
        Random random = new Random(schedule.seed());
        Collections.shuffle(objects, random);
        objects = objects.subList(0, (int) Math.max(1, Math.round(objects.size() * schedule.objectFraction())));
        log.printf("%d clips, %d objects used for training (fraction %.2f), %d held out in clips %s, %d distillation "
                + "outputs%n", clips.videos().size() - holdout.size(), objects.size(), schedule.objectFraction(), heldOut.size(),
                holdout, clips.distillOutputs());
        return new Data(footage, holdout, clips, objects, heldOut.size(), validationBatches(clips, heldOut), random);
    }

    /** Epochs from {@code firstEpoch} on, each checkpointed with its losses; returns the last step's losses. */
    private TaskLosses epochs(SsmtlTrainer trainer, Data d, LossCurves curves, int firstEpoch) throws Exception {
        List<ObjectClips.ObjectRef> objects = d.objects();
        int stepsPerEpoch = (objects.size() + schedule.batch() - 1) / schedule.batch();
        long trainStart = System.nanoTime();
        int stepsDone = 0;
        int totalSteps = (schedule.epochs() - firstEpoch + 1) * stepsPerEpoch;
        TaskLosses last = null;
        for (int epoch = firstEpoch; epoch <= schedule.epochs(); epoch++) {
            Collections.shuffle(objects, new Random(schedule.seed() * 31 + epoch));
            double[] sums = new double[5];
            int steps = 0;
            for (int from = 0; from < objects.size(); from += schedule.batch()) {
                if (stopRequested.get()) {
                    throw new Stopped(String.format("stopped at epoch %d step %d of %d; %s", epoch, steps, stepsPerEpoch,
                            epoch > 1 ? "--resume continues after epoch " + (epoch - 1) : "no epoch finished yet"));
                }
                ObjectClips.Batch b = d.clips().batch(objects.subList(from, Math.min(objects.size(), from + schedule.batch())),
                        d.random());
                if (b.size() == 0) {
                    continue;
                }
                last = trainer.step(b);
                sums[0] += last.arrowOfTime();
                sums[1] += last.irregularity();
                sums[2] += last.reconstruction();
                sums[3] += last.distillation();
                sums[4] += last.total();
                steps++;
                stepsDone++;
                if (steps % 10 == 0 || from + schedule.batch() >= objects.size()) {
                    double elapsed = (System.nanoTime() - trainStart) / 1e9;
                    double eta = elapsed / stepsDone * (totalSteps - stepsDone);
                    log.printf("epoch %d/%d step %d/%d | aot %.4f mi %.4f rec %.4f dist %.4f total %.4f | %.1f objects/s | ETA %s%n",
                            epoch, schedule.epochs(), steps, stepsPerEpoch, sums[0] / steps, sums[1] / steps, sums[2] / steps,
                            sums[3] / steps, sums[4] / steps, stepsDone * schedule.batch() / elapsed, duration(eta));
                }
            }
            reestimateBatchNorm(trainer, d.clips(), objects);
            saveCheckpoint(trainer, epoch);
            TaskLosses train = new TaskLosses((float) (sums[0] / steps), (float) (sums[1] / steps), (float) (sums[2] / steps),
                    (float) (sums[3] / steps), (float) (sums[4] / steps));
            TaskLosses held = d.validation().isEmpty() ? null : validate(trainer, d.validation());
            curves.add(epoch, train, held);
            log.printf("epoch %d done: mean losses %s; held-out %s; checkpoint saved%n", epoch, train,
                    held == null ? "none" : held);
        }
        return last;
    }

    /** The model contract and provenance the exported model carries. */
    private Map<String, String> metadata(Data d, int best) {
        return new ModelContract(schedule.architecture().id(), sources.sequences().t(),
                sources.sequences().cropSize(), "80 detector class probabilities" + (sources.teacher() == null ? ""
                : " + " + (d.clips().distillOutputs() - 80) + " logits of teacher " + sources.teacher().getFileName()),
                sources.detector().backend().name().toLowerCase() + ":"
                + (sources.detector().model() == null ? "" : sources.detector().model().getFileName()) + " confidence >= "
                + sources.detections().defaultThreshold() + ", by class " + sources.detections().classThresholds()
                + (sources.detector().addMovingObjects() ? ", with the motion detector's uncovered moving objects" : ""),
                describe(sources.footage().range()) + " (" + (d.clips().videos().size() - d.holdout().size()) + " clips, "
                + d.objects().size() + " objects; held out " + d.holdout() + ")", schedule.epochs(), best,
                Instant.now().toString()).toMetadata();
    }

    /**
     * Event thresholds for this footage's camera: the held-out clips run through the rest of the chain as the
     * alert-sink would (the exported model, its calibration, the default smoothing), and the false-alarm budget
     * applied to their frame scores ({@link ThresholdCalibration}).
     */
    private EventThresholds eventThresholds(Path onnx, List<ObjectClips.Video> heldOut, List<Clip> footage) {
        AlertTimeline.Settings timeline = AlertTimeline.Settings.defaults();
        List<float[]> series = new ArrayList<>();
        try (OnnxModel model = OnnxSessionFactory.open(onnx, OnnxSessionFactory.Options.cpu(job.threads()))) {
            SsmtlScorer scorer = new SsmtlScorer(model, EnumSet.allOf(SsmtlScorer.Task.class),
                    TaskCalibration.Mode.valueOf(TaskCalibration.DEFAULT_MODE));
            SequenceBuilder builder = new SequenceBuilder(sources.sequences().withCropSize(scorer.cropSize()));
            OfflinePipeline chain = new OfflinePipeline(null, builder, scorer, timeline, 32);
            for (ObjectClips.Video v : heldOut) {
                series.add(chain.score(v.id(), v.frames(), v.detections(), m -> { }).frameScores().get(OfflinePipeline.ALL));
            }
        }
        double fps = footage.stream().filter(Clip::heldOut).filter(c -> c.toTimeMs() > c.fromTimeMs())
                .mapToDouble(c -> (c.frames().size() - 1) * 1000.0 / (c.toTimeMs() - c.fromTimeMs())).average().orElse(job.fps());
        ThresholdCalibration.Choice c = ThresholdCalibration.choose(series, fps, job.eventsPerDay(), timeline.events());
        String basis = c.basis(job.eventsPerDay());
        log.printf("event thresholds: open %.3f, close %.3f (%s, %.1f frames/s)%n", c.open(), c.close(), basis, fps);
        return EventThresholds.newBuilder().setOpen(c.open()).setClose(c.close()).setBasis(basis)
                .setAggregation(CameraEventSettings.aggregation(timeline.aggregation()))
                .setSmoothing(new CameraEventSettings.Smoothing(timeline.sigma(), timeline.maxLookahead()).toProto()).build();
    }

    /**
     * Inference's batch-norm statistics from a fixed sample of training objects (see SsmtlTrainer): the middle-box
     * pass's first, kept aside, then the plain pass's, which stay in the network.
     */
    private void reestimateBatchNorm(SsmtlTrainer trainer, ObjectClips clips, List<ObjectClips.ObjectRef> objects) {
        List<ObjectClips.ObjectRef> sample = new ArrayList<>(objects);
        Collections.shuffle(sample, new Random(schedule.seed() + 13));
        forEachBatchNormBatch(clips, sample, trainer::updateMaskedBatchNormStatistics);
        trainer.network().maskedStatistics(trainer.network().encoderStatistics());
        forEachBatchNormBatch(clips, sample, trainer::updateBatchNormStatistics);
    }

    private void forEachBatchNormBatch(ObjectClips clips, List<ObjectClips.ObjectRef> sample,
            java.util.function.Consumer<ObjectClips.Batch> update) {
        Random random = new Random(schedule.seed() + 17); // the same windows for both passes
        int batches = 0;
        for (int from = 0; from < sample.size() && batches < SsmtlTrainer.BATCH_NORM_BATCHES; from += schedule.batch()) {
            ObjectClips.Batch b = clips.batch(sample.subList(from, Math.min(sample.size(), from + schedule.batch())), random);
            if (b.size() > 0) {
                update.accept(b);
                batches++;
            }
        }
    }

    /** A fixed sample of held-out objects (up to 512, with their windows drawn once), so epochs compare alike. */
    private List<ObjectClips.Batch> validationBatches(ObjectClips clips, List<ObjectClips.ObjectRef> heldOut) {
        List<ObjectClips.ObjectRef> sample = new ArrayList<>(heldOut);
        Random random = new Random(schedule.seed() + 7);
        Collections.shuffle(sample, random);
        sample = sample.subList(0, Math.min(512, sample.size()));
        List<ObjectClips.Batch> batches = new ArrayList<>();
        for (int from = 0; from < sample.size(); from += schedule.batch()) {
            ObjectClips.Batch b = clips.batch(sample.subList(from, Math.min(sample.size(), from + schedule.batch())), random);
            if (b.size() > 0) {
                batches.add(b);
            }
        }
        return batches;
    }

    private static TaskLosses validate(SsmtlTrainer trainer, List<ObjectClips.Batch> batches) {
        double[] sums = new double[5];
        int n = 0;
        for (ObjectClips.Batch b : batches) {
            TaskLosses l = trainer.evaluate(b);
            float[] v = {l.arrowOfTime(), l.irregularity(), l.reconstruction(), l.distillation(), l.total()};
            for (int k = 0; k < 5; k++) {
                sums[k] += v[k] * b.size();
            }
            n += b.size();
        }
        return new TaskLosses((float) (sums[0] / n), (float) (sums[1] / n), (float) (sums[2] / n), (float) (sums[3] / n),
                (float) (sums[4] / n));
    }

    /** The clips decoded, with their detections (cached per clip and detector setting in {@code cache}). */
    public static List<ObjectClips.Video> loadVideos(List<Clip> footage, DetectorSpec detectorSpec, DetectionFilter filter,
            Path cache, PrintStream log) throws IOException {
        ImageCodec codec = new ImageCodec();
        List<ObjectClips.Video> videos = new ArrayList<>();
        try (FrameDetector frameDetector = detectorSpec.frameDetector(detectorSpec.create(), filter, codec)) {
            String setting = cacheKey(frameDetector.name(), detectorSpec, filter);
            for (Clip clip : footage) {
                List<RgbImage> images = new ArrayList<>();
                List<Frame> frames = new ArrayList<>();
                for (Frame f : clip.frames()) {
                    RgbImage img = codec.decode(f.getJpeg().toByteArray());
                    images.add(img);
                    // The detector sees the frames as on vigil.frames, under the clip's own name and numbering.
                    frames.add(f.toBuilder().setCameraId(clip.id()).setFrameIndex(frames.size()).setWidth(img.width())
                            .setHeight(img.height()).build());
                }
                List<FrameDetections> detections = cachedDetections(cache.resolve(clip.id() + "-" + setting + ".pb"), frames,
                        frameDetector);
                videos.add(new ObjectClips.Video(clip.id(), images, detections));
                log.printf("clip %s: %d frames, %d objects%s%n", clip.id(), images.size(),
                        detections.stream().mapToInt(FrameDetections::getDetectionsCount).sum(), clip.heldOut() ? " (held out)" : "");
            }
        }
        return videos;
    }

    private static String describe(TrainingRange r) {
        return r.getCameraId().isEmpty() ? r.getSource() : r.getSource() + " camera " + r.getCameraId() + " from "
                + Instant.ofEpochMilli(r.getFromTimeMs()) + " to " + Instant.ofEpochMilli(r.getToTimeMs());
    }

    /** What the boxes depend on, hashed: boxes cached with other detector settings are not reused. */
    static String cacheKey(String detectorName, DetectorSpec spec, DetectionFilter filter) {
        String setting = String.join(" ", detectorName, Float.toString(spec.candidateThreshold()),
                Float.toString(spec.nmsIou()), Integer.toString(spec.inputSize()), Float.toString(filter.defaultThreshold()),
                new java.util.TreeMap<>(filter.classThresholds()).toString(), new java.util.TreeSet<>(filter.allowedClasses())
                        .toString(), Float.toString(filter.minBoxSide()), spec.motion().toString());
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(setting.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Detections are cached per video: resuming or re-training skips the detector. */
    private static List<FrameDetections> cachedDetections(Path cache, List<Frame> frames, FrameDetector detector)
            throws IOException {
        List<FrameDetections> out = new ArrayList<>();
        if (Files.exists(cache)) {
            try (InputStream in = Files.newInputStream(cache)) {
                FrameDetections d;
                while ((d = FrameDetections.parseDelimitedFrom(in)) != null) {
                    out.add(d);
                }
            }
            if (out.size() == frames.size()) {
                return out;
            }
            out.clear();
        }
        for (int from = 0; from < frames.size(); from += 16) {
            for (FrameDetector.Outcome outcome : detector.process(frames.subList(from, Math.min(frames.size(), from + 16)))) {
                if (outcome instanceof FrameDetector.Detected d) {
                    out.add(d.detections());
                } else {
                    out.add(FrameDetections.newBuilder().setFrameIndex(outcome.frame().getFrameIndex()).build());
                }
            }
        }
        Files.createDirectories(cache.getParent());
        try (OutputStream os = Files.newOutputStream(cache)) {
            for (FrameDetections d : out) {
                d.writeDelimitedTo(os);
            }
        }
        return out;
    }

    private void addTeacher(ObjectClips clips) {
        Map<ObjectClips.ObjectRef, float[]> logits = new HashMap<>();
        int dim;
        try (ImageNetTeacher teacher = new ImageNetTeacher(OnnxSessionFactory.open(sources.teacher(),
                new OnnxSessionFactory.Options(sources.detector().device(), sources.detector().intraOpThreads(), 0)))) {
            dim = teacher.classes();
            List<ObjectClips.ObjectRef> refs = clips.objects();
            for (int from = 0; from < refs.size(); from += 32) {
                List<ObjectClips.ObjectRef> chunk = refs.subList(from, Math.min(refs.size(), from + 32));
                List<RgbImage> frames = new ArrayList<>();
                List<CropBox> boxes = new ArrayList<>();
                for (ObjectClips.ObjectRef r : chunk) {
                    ObjectClips.Video v = clips.videos().get(r.video());
                    Box b = v.detections().get(r.frame()).getDetections(r.object()).getBox();
                    frames.add(v.frames().get(r.frame()));
                    boxes.add(new CropBox(b.getX1(), b.getY1(), b.getX2(), b.getY2()));
                }
                List<float[]> out = teacher.logits(frames, boxes);
                for (int k = 0; k < chunk.size(); k++) {
                    logits.put(chunk.get(k), out.get(k));
                }
            }
        }
        log.printf("teacher %s: %d logits for %d objects%n", sources.teacher().getFileName(), dim, logits.size());
        clips.useTeacher(logits::get, dim);
    }

    static String epochParameters(int epoch) {
        return "epoch-" + epoch + ".params";
    }

    /** Each epoch's parameters are kept (the best one is exported); the properties name the last completed epoch. */
    private void saveCheckpoint(SsmtlTrainer trainer, int epoch) throws IOException {
        SsmtlNetwork net = trainer.network();
        Path tmp = job.out().resolve(epochParameters(epoch) + ".tmp");
        trainer.save(tmp);
        Files.move(tmp, job.out().resolve(epochParameters(epoch)), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Properties p = new Properties();
        p.setProperty("epoch", Integer.toString(epoch));
        p.setProperty("architecture", schedule.architecture().id());
        p.setProperty("distill_outputs", Integer.toString(net.distillOutputs()));
        try (OutputStream out = Files.newOutputStream(job.out().resolve("checkpoint.properties"))) {
            p.store(out, "last completed epoch");
        }
    }

    /** Loads the last checkpoint; returns its epoch (0 when there is none). */
    private int loadCheckpoint(SsmtlTrainer trainer) throws Exception {
        SsmtlNetwork net = trainer.network();
        Path props = job.out().resolve("checkpoint.properties");
        if (!Files.exists(props)) {
            log.println("no checkpoint in " + job.out() + ": starting at epoch 1");
            return 0;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(props)) {
            p.load(in);
        }
        if (!schedule.architecture().id().equals(p.getProperty("architecture"))
                || net.distillOutputs() != Integer.parseInt(p.getProperty("distill_outputs"))) {
            throw new IllegalArgumentException("checkpoint in " + job.out() + " is for " + p + ", not for this run");
        }
        int epoch = Integer.parseInt(p.getProperty("epoch"));
        trainer.load(job.out().resolve(epochParameters(epoch)));
        log.printf("resumed from the checkpoint of epoch %d (Adam moments start afresh)%n", epoch);
        return epoch;
    }

    static String duration(double seconds) {
        Duration d = Duration.ofSeconds((long) seconds);
        return d.toHours() > 0 ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }
}
