package io.vigil.bench;

import static io.vigil.bench.BenchSupport.best;
import static io.vigil.bench.BenchSupport.fmt;
import static io.vigil.bench.BenchSupport.match;
import static io.vigil.bench.BenchSupport.runPython;
import static io.vigil.bench.BenchSupport.timeBatches;
import static io.vigil.bench.BenchSupport.timeSessionRuns;
import static io.vigil.bench.BenchSupport.writeReport;

import com.google.protobuf.ByteString;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.scoring.MotionSpeed;
import io.vigil.common.scoring.ScoringModel;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.sequence.SequenceTensors;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.trainer.export.OnnxExporter;
import io.vigil.trainer.network.Architecture;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.trainer.training.SsmtlTrainer;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Scorer throughput on CPU for the four SSMTL architectures, side by side in one run: Vigil's scorer end to end
 * (sequence bytes to tensors, ONNX Runtime Java, the task scores), ONNX Runtime Java inference alone, and the
 * same network in PyTorch eager (bench/python/ssmtl_torch_bench.py, weights copied from the export and checked
 * against it), at batch 1 and 32, on the same input tensors. Not a test: run {@code bench/run-scorer-bench.sh}.
 *
 * <p>Given trained model files, also times each with the scorer's defaults (the model's cues, default calibration) side
 * by side in the same run, and the speed task alone, to compare a model change.
 *
 * <pre>java -jar bench/target/vigil-bench.jar scorer [sequences] [threads] [python] [model.onnx,other.onnx]</pre>
 */
public final class ScorerBench {

    private static final int FRAMES = 7;
    private static final int CROP = 64;
    /** The trained model's distillation outputs: 80 detector classes + 1000 teacher logits. */
    private static final int DISTILL = 80 + 1000;
    private static final int[] BATCHES = {1, 32};

    static void run(int count, int threads, String python, List<Path> trained) throws Exception {
        System.setProperty("ai.djl.offline", "true");

        Path work = Files.createTempDirectory("vigil-scorer-bench-");
        List<ObjectSequence> sequences = randomSequences(count, new Random(7));
        Path tensors = work.resolve("sequences.f32");
        writeTensors(sequences, tensors);
        System.out.printf("%d sequences of %d crops %dx%d, %d intra-op threads, %d cores%n", count, FRAMES, CROP, CROP,
                threads, Runtime.getRuntime().availableProcessors());

        StringBuilder table = new StringBuilder("| architecture | batch | Vigil scorer end to end (Java) | ONNX Runtime Java, "
                + "inference only | PyTorch eager | ONNX Runtime Java / PyTorch |\n|---|---|---|---|---|---|\n");
        String torchVersion = "?";
        for (Architecture architecture : Architecture.values()) {
            Path model = work.resolve(architecture.id() + ".onnx");
            // PyTorch copies its weights from the graph as exported, before the rewrite splits convolutions' kernels.
            Path asBuilt = work.resolve(architecture.id() + "-as-built.onnx");
            try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(architecture, FRAMES, DISTILL), 1e-3f, 0.5f, 1)) {
                Map<String, String> metadata = Map.of("vigil.architecture", architecture.id());
                OnnxExporter.export(trainer.network(), metadata, model);
                OnnxGraphBuilder.write(OnnxExporter.graph(trainer.network(), metadata), asBuilt);
            }
            String torchJson = null;
            try {
                torchJson = runPython(python, "ssmtl_torch_bench.py", List.of("--model", asBuilt.toString(), "--input",
                        tensors.toString(), "--filters", architecture.filters.stream().map(String::valueOf)
                                .collect(Collectors.joining(",")), "--per-stage", Integer.toString(architecture.convsPerStage),
                        "--frames", Integer.toString(FRAMES), "--distill", Integer.toString(DISTILL), "--batches", "1,32",
                        "--threads", Integer.toString(threads)), "pip install torch onnx onnxruntime numpy");
                System.out.println(architecture.id() + " torch: " + torchJson);
                torchVersion = match(torchJson, "\"torch\": \"([^\"]+)\"");
            } catch (IllegalStateException | java.io.IOException e) {
                System.out.println(architecture.id() + ": no PyTorch comparison (" + e.getMessage() + ")");
                torchVersion = "(not available in this run)";
            }
            for (int batch : BATCHES) {
                double endToEnd;
                double inference;
                try (OnnxModel onnx = OnnxSessionFactory.open(model, new OnnxSessionFactory.Options(Device.CPU, threads, 0, false))) {
                    SsmtlScorer scorer = new SsmtlScorer(onnx, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
                    endToEnd = best(3, () -> timeBatches(sequences, batch, scorer::score));
                }
                // Spinning idle threads, as PyTorch's OpenMP threads do by default: both runtimes do the same work.
                try (OnnxModel onnx = OnnxSessionFactory.open(model, new OnnxSessionFactory.Options(Device.CPU, threads, 0, true))) {
                    inference = best(3, () -> timeSessionRuns(onnx, ModelContract.INPUT_NAME, tensors, new long[] {3, FRAMES, CROP, CROP},
                            count, batch));
                }
                double torch = torchJson == null ? Double.NaN
                        : Double.parseDouble(match(torchJson, "\"batch\": " + batch + ", \"sps\": ([0-9.]+)"));
                table.append(String.format("| %s | %d | %s seq/s | %s seq/s | %s | %s |%n", architecture.id(), batch,
                        fmt(endToEnd), fmt(inference), torchJson == null ? "n/a" : fmt(torch) + " seq/s",
                        torchJson == null ? "" : String.format("%.2f", inference / torch)));
            }
        }
        String report = "Scorer benchmark, " + LocalDateTime.now().withNano(0) + "\n\n" + count + " object sequences ("
                + FRAMES + " crops of " + CROP + "x" + CROP + ", random pixels: the work does not depend on them), each of the "
                + "four SSMTL architectures exported by model-trainer with " + DISTILL + " distillation outputs, CPU, "
                + threads + " intra-op threads, best of 3 rounds after a warm-up. End to end = what the anomaly-scorer "
                + "runs per batch (bytes to planar floats, inference with idle threads not spinning, the task "
                + "scores); inference only = session runs on the same tensors PyTorch " + torchVersion + " gets (eager, "
                + "inference mode, its module checked against the export before timing). Command: "
                + "bench/run-scorer-bench.sh\n\n" + table + trainedModels(trained, sequences, threads);
        writeReport("scorer.md", report);
    }

    /** The trained models with the anomaly-scorer's defaults, at batch 1 and 32, and the speed task's own cost. */
    private static String trainedModels(List<Path> models, List<ObjectSequence> sequences, int threads) throws Exception {
        if (models.isEmpty()) {
            return "";
        }
        StringBuilder table = new StringBuilder("\nTrained models with the anomaly-scorer's defaults (the model's cues, "
                + TaskCalibration.DEFAULT_MODE.toLowerCase(java.util.Locale.ROOT) + " calibration), end to end, same run; "
                + "the graph as the services open it (only the heads of the model's cues) and whole, rounds alternating:"
                + "\n\n| model | architecture | graph | batch 1 | batch 32 |\n|---|---|---|---|---|\n");
        OnnxSessionFactory.Options options = new OnnxSessionFactory.Options(Device.CPU, threads, 0, false);
        TaskCalibration.Mode mode = TaskCalibration.Mode.valueOf(TaskCalibration.DEFAULT_MODE);
        for (Path file : models) {
            // The cues' side is loaded as the services load it; the whole graph scores the same cues.
            try (ScoringModel services = new ScoringModel(ScoringModel.file(file), options, null, mode);
                    OnnxModel whole = OnnxSessionFactory.open(file, options)) {
                ScoringModel.Version version = services.acquire();
                SsmtlScorer cues = version.scorer();
                version.release();
                List<SsmtlScorer> scorers = List.of(cues, new SsmtlScorer(whole, cues.tasks(), mode));
                double[][] rates = new double[2][BATCHES.length];
                for (int round = 0; round <= 3; round++) { // round 0 warms up; the best of the other three counts
                    for (int b = 0; b < BATCHES.length; b++) {
                        for (int g = 0; g < 2; g++) {
                            double rate = timeBatches(sequences, BATCHES[b], scorers.get(g)::score);
                            rates[g][b] = round == 0 ? 0 : Math.max(rates[g][b], rate);
                        }
                    }
                }
                String architecture = whole.customMetadata().getOrDefault("vigil.architecture", "?");
                for (int g = 0; g < 2; g++) {
                    table.append(String.format("| %s | %s | %s |", file, architecture, g == 0
                            ? "its cues' heads: " + new TreeSet<>(SsmtlScorer.modelOutputs(cues.tasks()))
                            : "whole: " + whole.outputShapes().keySet()));
                    for (int b = 0; b < BATCHES.length; b++) {
                        table.append(' ').append(fmt(rates[g][b])).append(" seq/s |");
                    }
                    table.append('\n');
                }
            }
        }
        List<float[]> planar = sequences.stream().map(s -> SequenceTensors.planar(s.getPixels().toByteArray(), FRAMES, CROP))
                .toList();
        double speed = best(3, () -> timeBatches(planar, 1, one -> MotionSpeed.of(one.get(0), 0, FRAMES, CROP)));
        return table + String.format("%nThe speed task alone (MotionSpeed on planar floats, one thread): %s seq/s, %.2f ms "
                + "per sequence.%n", fmt(speed), 1000 / speed);
    }

    static List<ObjectSequence> randomSequences(int count, Random random) {
        Detection.Builder detection = Detection.newBuilder();
        for (int c = 0; c < 80; c++) {
            detection.addClassProbabilities(c == 0 ? 0.9f : 0.001f);
        }
        List<ObjectSequence> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] pixels = new byte[FRAMES * CROP * CROP * 3];
            random.nextBytes(pixels);
            out.add(ObjectSequence.newBuilder().setSequenceLength(FRAMES).setCropSize(CROP).setPixels(ByteString.copyFrom(pixels))
                    .setDetection(detection).build());
        }
        return out;
    }

    /** The model input of every sequence as little-endian float32, for both runtimes. */
    private static void writeTensors(List<ObjectSequence> sequences, Path file) throws Exception {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            for (ObjectSequence s : sequences) {
                float[] planar = SequenceTensors.planar(s.getPixels().toByteArray(), FRAMES, CROP);
                ByteBuffer buf = ByteBuffer.allocate(planar.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(planar);
                out.write(buf.array());
            }
        }
    }

    private ScorerBench() {
    }
}
