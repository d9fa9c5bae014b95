package io.vigil.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar bench/target/vigil-bench.jar detector|scorer|java|models|pipeline|profile|soak|gpu-check [args]}:
 * the harnesses.
 */
@Command(name = "vigil-bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        subcommands = {Bench.Detector.class, Bench.Scorer.class, Bench.JavaAroundModel.class, Bench.Models.class,
            Bench.Pipeline.class, Bench.Profile.class, Bench.Soak.class, Bench.GpuCheckCommand.class},
        description = "The benchmark harnesses (not tests); each writes its table, with date and commit, to "
                + "bench/results/.")
public final class Bench implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark: detector, scorer, java, "
                + "models, pipeline, profile, soak or gpu-check");
    }

    @Command(name = "detector", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "YOLOX end to end and inference alone vs Python onnxruntime, batch 1 and 8.")
    static final class Detector implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FRAMES-DIR",
                defaultValue = "../shared/datasets/ucsd-ped2/testing/01",
                description = "default: ${DEFAULT-VALUE}")
        Path frames;
        @Parameters(index = "1", arity = "0..1", paramLabel = "MODEL",
                defaultValue = "../shared/models/yolox-nano-coco/yolox_nano.onnx",
                description = "default: ${DEFAULT-VALUE}")
        Path model;
        @Parameters(index = "2", arity = "0..1", paramLabel = "FRAMES",
                defaultValue = "96", description = "default: ${DEFAULT-VALUE}")
        int count;
        @Parameters(index = "3", arity = "0..1", paramLabel = "THREADS",
                defaultValue = "2", description = "default: ${DEFAULT-VALUE}")
        int threads;
        @Parameters(index = "4", arity = "0..1", paramLabel = "PYTHON",
                defaultValue = "python3", description = "default: ${DEFAULT-VALUE}")
        String python;

        @Override
        public Integer call() throws Exception {
            DetectorBench.run(frames, model, count, threads, python);
            return 0;
        }
    }

    @Command(name = "scorer", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "The four SSMTL architectures, end to end and inference alone vs PyTorch eager, and trained "
                    + "models side by side.")
    static final class Scorer implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "SEQUENCES",
                defaultValue = "96", description = "default: ${DEFAULT-VALUE}")
        int count;
        @Parameters(index = "1", arity = "0..1", paramLabel = "THREADS",
                defaultValue = "2", description = "default: ${DEFAULT-VALUE}")
        int threads;
        @Parameters(index = "2", arity = "0..1", paramLabel = "PYTHON",
                defaultValue = "python3", description = "default: ${DEFAULT-VALUE}")
        String python;
        @Parameters(index = "3", arity = "0..1", paramLabel = "MODELS",
                defaultValue = "", description = "trained models, comma-separated")
        String trained;

        @Override
        public Integer call() throws Exception {
            ScorerBench.run(count, threads, python, trained.isBlank() ? List.of()
                    : Arrays.stream(trained.split(",")).map(String::trim).map(Path::of).toList());
            return 0;
        }
    }

    @Command(name = "java", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "The scorer's Java around the model (input layout, speed cue) against the code as first written.")
    static final class JavaAroundModel implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "OBJECTS", defaultValue = "200",
                description = "default: ${DEFAULT-VALUE}")
        int objects;
        @Parameters(index = "1", arity = "0..1", paramLabel = "ROUNDS", defaultValue = "15",
                description = "default: ${DEFAULT-VALUE}")
        int rounds;

        @Override
        public Integer call() throws Exception {
            JavaAroundModelBench.run(objects, rounds);
            return 0;
        }
    }

    @Command(name = "models", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "What holding many per-camera models costs one scorer: memory and objects/s for 1 and 50.")
    static final class Models implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
                defaultValue = "models/ssmtl-ped2-shallow-narrow.onnx", description = "default: ${DEFAULT-VALUE}")
        Path model;
        @Parameters(index = "1", arity = "0..1", paramLabel = "COUNTS", defaultValue = "1,50",
                description = "models held, comma-separated (default: ${DEFAULT-VALUE})")
        String counts;
        @Option(names = "--sequences", paramLabel = "N", description = "per round (default: ${DEFAULT-VALUE})")
        int sequences = 320;
        @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: ${DEFAULT-VALUE})")
        int threads = 2;
        @Option(names = "--no-arena", description = "sessions without ONNX Runtime's CPU memory arena")
        boolean noArena;

        @Override
        public Integer call() throws Exception {
            ModelsBench.run(model, Arrays.stream(counts.split(",")).map(String::trim).map(Integer::parseInt).toList(),
                    sequences, threads, !noArena);
            return 0;
        }
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "One Ped2 video offline vs through Kafka with the packaged services; N@F~S paces N cameras "
                    + "at F frames/s for S seconds; :in-assembler scores in the assembler (no anomaly-scorer).")
    static final class Pipeline implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIDEO-DIR",
                defaultValue = "../shared/datasets/ucsd-ped2/testing/02",
                description = "default: ${DEFAULT-VALUE}")
        Path video;
        @Parameters(index = "1", arity = "0..1", paramLabel = "YOLOX",
                defaultValue = "../shared/models/yolox-nano-coco/yolox_nano.onnx",
                description = "default: ${DEFAULT-VALUE}")
        Path yolox;
        @Parameters(index = "2", arity = "0..1", paramLabel = "SSMTL",
                defaultValue = "models/ssmtl-ped2-shallow-narrow.onnx",
                description = "default: ${DEFAULT-VALUE}")
        Path model;
        @Parameters(index = "3", arity = "0..1", paramLabel = "CAMERAS",
                defaultValue = "1,2,4,1@10", description = "default: "
                + "${DEFAULT-VALUE}")
        String cameras;

        @Override
        public Integer call() throws Exception {
            PipelineBench.run(video, yolox, model, cameras);
            return 0;
        }
    }

    @Command(name = "gpu-check", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Whether the CUDA provider loads the detector and the scorer, and each timed on CUDA against "
                    + "the CPU; without CUDA it says so and succeeds.")
    static final class GpuCheckCommand implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DETECTOR",
                defaultValue = "../shared/models/yolox-nano-coco/yolox_nano.onnx", description = "default: ${DEFAULT-VALUE}")
        Path detector;
        @Parameters(index = "1", arity = "0..1", paramLabel = "SSMTL",
                defaultValue = "models/ssmtl-ped2-shallow-narrow.onnx", description = "default: ${DEFAULT-VALUE}")
        Path scorer;

        @Override
        public Integer call() throws Exception {
            return GpuCheck.run(detector, scorer, System.out);
        }
    }

    @Command(name = "profile", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Where the CPU went, from flight recordings (one .jfr per process), in a time window.")
    static final class Profile implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JFR-DIR")
        Path recordings;
        @Parameters(index = "1", paramLabel = "FROM-EPOCH-MS")
        long from;
        @Parameters(index = "2", paramLabel = "TO-EPOCH-MS")
        long to;
        @Parameters(index = "3", paramLabel = "FRAMES", description = "frames in the window, for the per-frame column")
        int frames;

        @Override
        public Integer call() throws Exception {
            Instant start = Instant.ofEpochMilli(from);
            Instant end = Instant.ofEpochMilli(to);
            System.out.print(JfrProfile.table(JfrProfile.read(recordings, start, end), (to - from) / 1000.0, frames));
            return 0;
        }
    }

    @Command(name = "soak", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "vigil-local with paced synthetic cameras for a long run, sampled every 15 s.")
    static final class Soak implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DURATION",
                defaultValue = "30m", converter = MinutesConverter.class,
                description = "e.g. 30m, 90s (default: ${DEFAULT-VALUE})")
        Duration duration;
        @Parameters(index = "1", arity = "0..1", paramLabel = "CAMERAS",
                defaultValue = "4", description = "default: ${DEFAULT-VALUE}")
        int cameras;
        @Parameters(index = "2", arity = "0..1", paramLabel = "SOURCE", defaultValue = SoakBench.DEFAULT_SOURCE,
                description = "default: ${DEFAULT-VALUE}")
        String source;
        @Option(names = "--render", paramLabel = "CSV", description = "write the report of a past run's samples again")
        Path render;

        @Override
        public Integer call() throws Exception {
            SoakBench.run(duration, cameras, source, render);
            return 0;
        }
    }

    static final class MinutesConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Duration.parse("PT" + value.toUpperCase());
        }
    }
}
