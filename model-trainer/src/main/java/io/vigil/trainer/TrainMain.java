package io.vigil.trainer;

import io.vigil.common.registry.ModelRegistry;
import io.vigil.common.scoring.Calibrator;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.evaluation.DetectorOptions;
import io.vigil.evaluation.footage.FolderFootage;
import io.vigil.evaluation.footage.Footage;
import io.vigil.evaluation.footage.TopicFootageOptions;
import io.vigil.trainer.data.ObjectClips;
import io.vigil.trainer.export.SsmtlGraphOptimizer;
import io.vigil.trainer.network.Architecture;
import io.vigil.trainer.training.ModelCalibration;
import io.vigil.trainer.training.TrainingRun;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.OnnxMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Command line of the trainer ({@code --help} lists every option):
 * <pre>
 * java -jar model-trainer/target/model-trainer.jar \
 *   --data ../shared/datasets/ucsd-ped2/training --out models/ped2 --holdout 14,15,16 \
 *   --detector yolox --detector-model ../shared/models/yolox-nano-coco/yolox_nano.onnx \
 *   [--teacher ../shared/models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx] [--architecture shallow-narrow] ...
 *
 * java -jar model-trainer/target/model-trainer.jar --from-topic HOST:PORT --camera cam-7 --since 3h \
 *   --out .vigil/train/cam-7 --register models/registry ...
 *
 * java -jar model-trainer/target/model-trainer.jar registry list|activate|rollback|register|camera ...
 * java -jar model-trainer/target/model-trainer.jar calibrate --model M.onnx --data DIR [--videos 14,15,16] ...
 * java -jar model-trainer/target/model-trainer.jar optimize --model M.onnx [--out M2.onnx]
 * </pre>
 * {@code calibrate} puts an existing model on the surprise scale with normal videos it did not train on;
 * {@code optimize} rewrites a model exported before {@link SsmtlGraphOptimizer}.
 */
@Command(name = "model-trainer", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        subcommands = {TrainMain.Calibrate.class, TrainMain.Optimize.class, RegistryCommands.class},
        description = "Trains the SSMTL network on normal video and exports the ONNX model the anomaly-scorer serves.")
public final class TrainMain implements Callable<Integer> {

    /** The detector the objects come from, and how many threads PyTorch and the detector use. */
    static final class Sources {
        @Mixin
        DetectorOptions detector = new DetectorOptions();
        @Option(names = "--threads", paramLabel = "N", description = "PyTorch's and the detector's intra-op threads "
                + "(default: 0, one per core)")
        int threads;
        @Option(names = "--t", paramLabel = "N", description = "sequence half-length (default: ${DEFAULT-VALUE})")
        int t = Integer.parseInt(SequenceSettings.DEFAULT_T);

        DetectorSpec spec() {
            return detector.spec(Device.AUTO, threads);
        }

        DetectionFilter filter() {
            return detector.filter();
        }

        SequenceSettings sequences() {
            return SequenceSettings.paper().withT(t);
        }
    }

    /** How long a stop waits for the training step in progress (about a second at batch 32 on 2 cores). */
    static final Duration STOP_GRACE = Duration.ofSeconds(60);

    @Mixin
    Sources sources = new Sources();
    @Option(names = "--data", paramLabel = "DIR", description = "a folder of normal videos (or --from-topic)")
    Path data;
    @Mixin
    TopicFootageOptions topic = new TopicFootageOptions();
    @Option(names = "--out", paramLabel = "DIR", description = "where checkpoints, curves and the model go (required "
            + "to train)")
    Path out;
    @Option(names = "--holdout", paramLabel = "LIST", description = "videos of --data never trained on: they choose the "
            + "epoch and give the calibration, e.g. 14,15,16")
    String holdout = "";
    @Option(names = "--register", paramLabel = "DIR", description = "register the model in this model registry")
    Path register;
    @Option(names = "--scope", paramLabel = "NAME", description = "the registry scope: a camera id or a scene name "
            + "(default: --camera)")
    String scope;
    @Option(names = "--no-activate", description = "register without making it the scope's current version")
    boolean noActivate;
    @Option(names = "--events-per-day", paramLabel = "N", description = "false-alarm budget: the event thresholds "
            + "registered with the model are the lowest (never below the alert-sink's defaults) at which the held-out "
            + "footage raises at most N events a day (default: ${DEFAULT-VALUE})")
    double eventsPerDay = 1;
    @Option(names = "--fps", paramLabel = "F", description = "frame rate of --data's videos; topic footage has capture "
            + "times (default: ${DEFAULT-VALUE})")
    double fps = 10;
    @Option(names = "--teacher", paramLabel = "FILE", description = "an ImageNet classifier (ONNX) to distil")
    Path teacher;
    @Option(names = "--architecture", paramLabel = "NAME", description = "shallow-narrow, shallow-wide, deep-narrow or "
            + "deep-wide (default: ${DEFAULT-VALUE})")
    String architecture = "shallow-narrow";
    @Option(names = "--epochs", paramLabel = "N", description = "default: ${DEFAULT-VALUE}")
    int epochs = 10;
    @Option(names = "--batch", paramLabel = "N", description = "default: ${DEFAULT-VALUE}")
    int batch = 32;
    @Option(names = "--lr", paramLabel = "X", description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
    float lr = 1e-3f;
    @Option(names = "--lambda", paramLabel = "X", description = "weight of the distillation loss (default: "
            + "${DEFAULT-VALUE})")
    float lambda = 0.5f;
    @Option(names = "--seed", paramLabel = "N", description = "default: ${DEFAULT-VALUE}")
    long seed = 1;
    @Option(names = "--max-gap", paramLabel = "N", description = "motion irregularity's frames come from up to "
            + "max-gap*t away (default: ${DEFAULT-VALUE})")
    int maxGap = 4;
    @Option(names = "--object-fraction", paramLabel = "X", description = "share of the objects trained on per epoch "
            + "(default: ${DEFAULT-VALUE})")
    double objectFraction = 1.0;
    @Option(names = "--resume", description = "continue from the last checkpoint in --out")
    boolean resume;
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(new CommandLine(new TrainMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if ((data == null) == !topic.present() || out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "training needs --out and either --data or "
                    + "--from-topic");
        }
        String registryScope = scope != null ? scope : topic.present() ? topic.camera() : null;
        if (register != null && registryScope == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--register needs --scope");
        }
        Footage footage;
        try {
            // A clip must outlast the detector's warm-up by one sequence: a shorter one (the tail of the range) has
            // no object, and held out it would leave nothing to choose the epoch and calibrate on.
            footage = topic.present() ? topic.footage(sources.spec().warmupFrames() + sources.sequences().length(), seed)
                    : new FolderFootage(data, List.of(), list(holdout));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        TrainingRun.Options options = new TrainingRun.Options(
                new TrainingRun.Sources(footage, sources.spec(), sources.filter(), sources.sequences(), teacher),
                new TrainingRun.Schedule(Architecture.parse(architecture), epochs, batch, lr, lambda, maxGap, objectFraction,
                        seed),
                new TrainingRun.Job(out, resume, sources.threads, fps, eventsPerDay));
        TrainingRun run = new TrainingRun(options, System.out);
        // SIGTERM or Ctrl-C: finish the step in progress and let go of PyTorch before the JVM goes.
        Thread onStop = new Thread(() -> {
            try {
                if (!run.stop(STOP_GRACE)) {
                    System.err.println("model-trainer: the training step did not end within " + STOP_GRACE.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "model-trainer-stop");
        Runtime.getRuntime().addShutdownHook(onStop);
        try {
            TrainingRun.Result result = run.run();
            PrintWriter printed = spec.commandLine().getOut();
            printed.println("model: " + result.model().toAbsolutePath());
            if (register != null) {
                ModelRegistry.Entry entry = new ModelRegistry(register).register(registryScope, result.model(),
                        RegistryCommands.descriptor(result, "model-trainer"), !noActivate);
                printed.println("registered: " + entry.id() + (noActivate ? " (not activated)" : " (current)") + " in "
                        + register.toAbsolutePath());
            }
            return 0;
        } catch (TrainingRun.Stopped stopped) {
            System.out.println("model-trainer: " + stopped.getMessage());
            return 143;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onStop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns once run() has
            }
        }
    }

    @Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = "Puts an existing model on the surprise scale with normal videos it did not train on.")
    static final class Calibrate implements Callable<Integer> {
        @Mixin
        Sources sources = new Sources();
        @Option(names = "--model", required = true, paramLabel = "FILE", description = "the model to calibrate")
        Path model;
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "normal videos")
        Path data;
        @Option(names = "--videos", paramLabel = "LIST", description = "which of them, e.g. 14,15,16 (default: all)")
        String videos = "";
        @Option(names = "--work", paramLabel = "DIR", description = "detections cache (default: ${DEFAULT-VALUE})")
        Path work = Path.of(".vigil/calibration");
        @Option(names = "--out", paramLabel = "FILE", description = "default: the model itself")
        Path out;
        @Option(names = "--cues", paramLabel = "LIST", description = "the tasks the services combine (default: "
                + "${DEFAULT-VALUE})")
        String cues = SsmtlScorer.DEFAULT_CUES;
        @Option(names = "--combination", paramLabel = "RULE", description = "how the cues combine: mean or rarest "
                + "(default: ${DEFAULT-VALUE})")
        String combination = SsmtlScorer.DEFAULT_COMBINATION;
        @Option(names = "--by-speed", paramLabel = "LIST", description = "the cues calibrated by band of the object's "
                + "speed, e.g. arrow_of_time (default: none)")
        String bySpeed = SsmtlScorer.DEFAULT_BY_SPEED;

        @Override
        public Integer call() throws Exception {
            List<ObjectClips.Video> clips = TrainingRun.loadVideos(new FolderFootage(data, list(videos), List.of())
                    .clips(System.out), sources.spec(), sources.filter(), work.resolve("detections"), System.out);
            Path written = OnnxMetadata.update(model, ModelCalibration.of(model, clips, sources.sequences(),
                    new Calibrator.Choice(SsmtlScorer.parseTasks(cues), SsmtlScorer.Combination.parse(combination),
                            SsmtlScorer.parseTasks(bySpeed)), sources.threads,
                    System.out),
                    out == null ? model : out);
            System.out.println("calibrated model: " + written.toAbsolutePath());
            return 0;
        }
    }

    @Command(name = "optimize", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Rewrites a model exported before SsmtlGraphOptimizer: the same outputs (checked) with less work.")
    static final class Optimize implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "FILE")
        Path model;
        @Option(names = "--out", paramLabel = "FILE", description = "default: the model itself")
        Path out;

        @Override
        public Integer call() {
            SsmtlGraphOptimizer.Rewritten r = SsmtlGraphOptimizer.rewrite(model, out == null ? model : out);
            System.out.printf("%s: %s; max abs output difference %.2e%n", r.file(), r.report().changed() ? r.report()
                    : "already rewritten or nothing to rewrite", r.maxDifference());
            return 0;
        }
    }

    static List<String> list(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).toList();
    }
}
