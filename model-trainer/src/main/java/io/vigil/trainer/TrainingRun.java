package io.vigil.trainer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.vigil.common.detect.DetectionFilter;
import io.vigil.common.detect.DetectorSpec;
import io.vigil.common.detect.FrameDetector;
import io.vigil.common.detect.ObjectDetector;
import io.vigil.common.image.CropBox;
import io.vigil.common.image.ImageCodec;
import io.vigil.common.image.RgbImage;
import io.vigil.common.onnx.OnnxSessionFactory;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import com.google.protobuf.ByteString;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A whole training job: detect objects in the normal training videos (cached), compute the teacher's targets,
 * train for the configured epochs with progress and a checkpoint per epoch (resumable), measure the task score
 * distributions for calibration, export to ONNX and check parity.
 */
public final class TrainingRun {

    /** Everything a run is configured with; {@code threads} are PyTorch's intra-op threads (0: one per core). */
    public record Options(Path data, DetectorSpec detector, float detectorThreshold, Path teacher, Architecture architecture,
            SequenceSettings sequences, int maxGap, int epochs, int batch, float learningRate, float lambda, long seed,
            double objectFraction, int threads, Path out, boolean resume) {
    }

    private final Options o;
    private final PrintStream log;

    public TrainingRun(Options options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    /** Runs the job; returns the exported model. */
    public Path run() throws Exception {
        Files.createDirectories(o.out());
        long start = System.nanoTime();
        TorchRuntime.useThreads(o.threads());
        log.println("numeric environment: " + TorchRuntime.describe());
        ObjectClips clips = new ObjectClips(loadVideos(), o.sequences(), o.maxGap());
        if (o.teacher() != null) {
            addTeacher(clips);
        }
        List<ObjectClips.ObjectRef> objects = new ArrayList<>(clips.objects());
        Random random = new Random(o.seed());
        Collections.shuffle(objects, random);
        objects = objects.subList(0, (int) Math.max(1, Math.round(objects.size() * o.objectFraction())));
        log.printf("%d videos, %d objects used for training (fraction %.2f), %d distillation outputs%n",
                clips.videos().size(), objects.size(), o.objectFraction(), clips.distillOutputs());

        SsmtlNetwork net = new SsmtlNetwork(o.architecture(), o.sequences().length(), clips.distillOutputs());
        try (SsmtlTrainer trainer = new SsmtlTrainer(net, o.learningRate(), o.lambda(), o.seed())) {
            int firstEpoch = o.resume() ? loadCheckpoint(trainer) + 1 : 1;
            int stepsPerEpoch = (objects.size() + o.batch() - 1) / o.batch();
            long trainStart = System.nanoTime();
            int stepsDone = 0;
            int totalSteps = (o.epochs() - firstEpoch + 1) * stepsPerEpoch;
            TaskLosses last = null;
            for (int epoch = firstEpoch; epoch <= o.epochs(); epoch++) {
                Collections.shuffle(objects, new Random(o.seed() * 31 + epoch));
                double[] sums = new double[5];
                int steps = 0;
                for (int from = 0; from < objects.size(); from += o.batch()) {
                    ObjectClips.Batch b = clips.batch(objects.subList(from, Math.min(objects.size(), from + o.batch())), random);
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
                    if (steps % 10 == 0 || from + o.batch() >= objects.size()) {
                        double elapsed = (System.nanoTime() - trainStart) / 1e9;
                        double eta = elapsed / stepsDone * (totalSteps - stepsDone);
                        log.printf("epoch %d/%d step %d/%d | aot %.4f mi %.4f rec %.4f dist %.4f total %.4f | %.1f objects/s | ETA %s%n",
                                epoch, o.epochs(), steps, stepsPerEpoch, sums[0] / steps, sums[1] / steps, sums[2] / steps,
                                sums[3] / steps, sums[4] / steps, stepsDone * o.batch() / elapsed, duration(eta));
                    }
                }
                saveCheckpoint(trainer, epoch);
                log.printf("epoch %d done: mean losses aot %.4f mi %.4f rec %.4f dist %.4f total %.4f; checkpoint saved%n", epoch,
                        sums[0] / steps, sums[1] / steps, sums[2] / steps, sums[3] / steps, sums[4] / steps);
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("vigil.architecture", o.architecture().id());
            metadata.put("vigil.t", Integer.toString(o.sequences().t()));
            metadata.put("vigil.crop_size", Integer.toString(o.sequences().cropSize()));
            metadata.put("vigil.input", "sequences [N,3,T,64,64] RGB/255, channels then time");
            metadata.put("vigil.distillation", "80 detector class probabilities" + (o.teacher() == null ? ""
                    : " + " + (clips.distillOutputs() - 80) + " logits of teacher " + o.teacher().getFileName()));
            metadata.put("vigil.detector", o.detector().backend().name().toLowerCase() + ":"
                    + (o.detector().model() == null ? "" : o.detector().model().getFileName()));
            metadata.put("vigil.training_data", o.data().toString() + " (" + clips.videos().size() + " videos, "
                    + objects.size() + " objects)");
            metadata.put("vigil.epochs", Integer.toString(o.epochs()));
            metadata.put("vigil.created_at", Instant.now().toString());
            metadata.putAll(Calibration.metadata(calibrate(net, clips, objects, random)));
            Path onnx = o.out().resolve("ssmtl-" + o.architecture().id() + ".onnx");
            OnnxExporter.export(net, metadata, onnx);
            ObjectClips.Batch probe = clips.batch(objects.subList(0, Math.min(8, objects.size())), random);
            float diff = ExportParity.check(net, onnx, probe.forward(), probe.size());
            log.printf("exported %s (parity max abs diff %.2e); final step losses %s; total time %s%n", onnx, diff, last,
                    duration((System.nanoTime() - start) / 1e9));
            return onnx;
        }
    }

    private List<ObjectClips.Video> loadVideos() throws IOException {
        List<Path> folders;
        try (Stream<Path> s = Files.list(o.data())) {
            folders = s.filter(Files::isDirectory).sorted().toList();
        }
        if (folders.isEmpty()) {
            throw new IllegalArgumentException("no video folders in " + o.data());
        }
        ImageCodec codec = new ImageCodec();
        List<ObjectClips.Video> videos = new ArrayList<>();
        try (ObjectDetector detector = o.detector().create()) {
            FrameDetector frameDetector = new FrameDetector(detector, DetectionFilter.threshold(o.detectorThreshold()), codec);
            for (Path folder : folders) {
                List<Path> files;
                try (Stream<Path> s = Files.list(folder)) {
                    files = s.filter(p -> p.toString().matches(".*\\.(jpg|jpeg|png|tif|tiff)$")).sorted().toList();
                }
                List<RgbImage> images = new ArrayList<>();
                List<Frame> frames = new ArrayList<>();
                for (Path f : files) {
                    byte[] bytes = Files.readAllBytes(f);
                    RgbImage img = codec.decode(bytes);
                    images.add(img);
                    frames.add(Frame.newBuilder().setCameraId(folder.getFileName().toString()).setFrameIndex(frames.size())
                            .setWidth(img.width()).setHeight(img.height())
                            .setJpeg(ByteString.copyFrom(bytes)).build()); // FrameDetector decodes any format
                }
                List<FrameDetections> detections = cachedDetections(folder, frames, frameDetector);
                videos.add(new ObjectClips.Video(folder.getFileName().toString(), images, detections));
                log.printf("video %s: %d frames, %d objects%n", folder.getFileName(), images.size(),
                        detections.stream().mapToInt(FrameDetections::getDetectionsCount).sum());
            }
        }
        return videos;
    }

    /** Detections are cached per video in the output folder: resuming or re-training skips the detector. */
    private List<FrameDetections> cachedDetections(Path folder, List<Frame> frames, FrameDetector detector) throws IOException {
        Path cache = o.out().resolve("detections").resolve(folder.getFileName() + ".pb");
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
        try (ImageNetTeacher teacher = new ImageNetTeacher(OnnxSessionFactory.open(o.teacher(),
                new OnnxSessionFactory.Options(o.detector().device(), o.detector().intraOpThreads(), 0)))) {
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
        log.printf("teacher %s: %d logits for %d objects%n", o.teacher().getFileName(), dim, logits.size());
        clips.useTeacher(logits::get, dim);
    }

    /** Task scores of (up to 2000) training objects, as the scorer computes them. */
    private Map<String, float[]> calibrate(SsmtlNetwork net, ObjectClips clips, List<ObjectClips.ObjectRef> objects,
            Random random) {
        List<ObjectClips.ObjectRef> sample = objects.subList(0, Math.min(2000, objects.size()));
        List<Float> aot = new ArrayList<>();
        List<Float> mi = new ArrayList<>();
        List<Float> rec = new ArrayList<>();
        List<Float> dist = new ArrayList<>();
        int t = net.frames();
        int k = net.distillOutputs();
        for (int from = 0; from < sample.size(); from += 32) {
            ObjectClips.Batch b = clips.batch(sample.subList(from, Math.min(sample.size(), from + 32)), random);
            try (NDManager m = NDManager.newBaseManager()) {
                NDList out = net.forward(new ParameterStore(m, false),
                        new NDList(m.create(b.forward(), new Shape(b.size(), 3, t, 64, 64))), false);
                float[] pAot = out.get(0).softmax(1).toFloatArray();
                float[] pMi = out.get(1).softmax(1).toFloatArray();
                float[] recon = out.get(2).toFloatArray();
                float[] student = out.get(3).toFloatArray();
                int pixels = 3 * 64 * 64;
                for (int i = 0; i < b.size(); i++) {
                    aot.add(pAot[2 * i + 1]);
                    mi.add(pMi[2 * i + 1]);
                    double e = 0;
                    for (int p = 0; p < pixels; p++) {
                        e += Math.abs(recon[i * pixels + p] - b.middle()[i * pixels + p]);
                    }
                    rec.add((float) (e / pixels));
                    double g = 0;
                    for (int c = 0; c < 80; c++) {
                        g += Math.abs(student[i * k + c] - b.distillTarget()[i * k + c]);
                    }
                    dist.add((float) (g / 80));
                }
            }
        }
        Map<String, float[]> scores = new LinkedHashMap<>();
        scores.put("arrow_of_time", toArray(aot));
        scores.put("irregularity", toArray(mi));
        scores.put("reconstruction", toArray(rec));
        scores.put("distillation", toArray(dist));
        return scores;
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    private void saveCheckpoint(SsmtlTrainer trainer, int epoch) throws IOException {
        SsmtlNetwork net = trainer.network();
        Path tmp = o.out().resolve("checkpoint.params.tmp");
        trainer.save(tmp);
        Files.move(tmp, o.out().resolve("checkpoint.params"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Properties p = new Properties();
        p.setProperty("epoch", Integer.toString(epoch));
        p.setProperty("architecture", o.architecture().id());
        p.setProperty("distill_outputs", Integer.toString(net.distillOutputs()));
        try (OutputStream out = Files.newOutputStream(o.out().resolve("checkpoint.properties"))) {
            p.store(out, "last completed epoch");
        }
    }

    /** Loads the last checkpoint; returns its epoch (0 when there is none). */
    private int loadCheckpoint(SsmtlTrainer trainer) throws Exception {
        SsmtlNetwork net = trainer.network();
        Path params = o.out().resolve("checkpoint.params");
        Path props = o.out().resolve("checkpoint.properties");
        if (!Files.exists(params) || !Files.exists(props)) {
            log.println("no checkpoint in " + o.out() + ": starting at epoch 1");
            return 0;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(props)) {
            p.load(in);
        }
        if (!o.architecture().id().equals(p.getProperty("architecture"))
                || net.distillOutputs() != Integer.parseInt(p.getProperty("distill_outputs"))) {
            throw new IllegalArgumentException("checkpoint in " + o.out() + " is for " + p + ", not for this run");
        }
        trainer.load(params);
        int epoch = Integer.parseInt(p.getProperty("epoch"));
        log.printf("resumed from the checkpoint of epoch %d (Adam moments start afresh)%n", epoch);
        return epoch;
    }

    static String duration(double seconds) {
        Duration d = Duration.ofSeconds((long) seconds);
        return d.toHours() > 0 ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }
}
