package io.vigil.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether this machine's ONNX Runtime runs the detector and the scorer on CUDA, and how much faster than on its CPU,
 * in one run: each model opened with {@code device=cuda} (which fails rather than fall back), then timed on both
 * devices at the batch sizes the services use. Prints a table and the settings the {@code gpu} overlay takes from
 * it. Without CUDA (no GPU, or an ONNX Runtime build without the provider) it says which, and succeeds: there is
 * nothing to check. Run {@code bench/run-gpu-check.sh}, which builds the {@code gpu} profile first.
 */
public final class GpuCheck {

    /** One model at one batch size on both devices: milliseconds per run. */
    record Row(String model, int batch, double baselineMs, double candidateMs) {
        double speedUp() {
            return baselineMs / candidateMs;
        }

        double candidateItemsPerSecond() {
            return batch * 1000 / candidateMs;
        }
    }

    /** What is checked: a model, its role, and the batch sizes to time. */
    record Subject(String role, Path model, List<Integer> batches) {
    }

    private final Device baseline;
    private final Device candidate;
    private final int runs;

    /** Compares {@code candidate} with {@code baseline} (CUDA with the CPU), {@code runs} timed runs per cell. */
    GpuCheck(Device baseline, Device candidate, int runs) {
        this.baseline = baseline;
        this.candidate = candidate;
        this.runs = runs;
    }

    /** The check as the script runs it; 0 also when there is no CUDA here (said on {@code out}). */
    static int run(Path detector, Path scorer, PrintStream out) throws Exception {
        if (!OnnxSessionFactory.cudaProviderBuilt()) {
            out.println("gpu-check: this ONNX Runtime has no CUDA provider (providers: "
                    + OrtEnvironment.getAvailableProviders() + "); build with -Pgpu on a machine with CUDA. Nothing to check.");
            return 0;
        }
        List<Subject> subjects = List.of(new Subject("detector", detector, List.of(1)),
                new Subject("scorer", scorer, List.of(1, 8, 32, 64)));
        try {
            for (Subject s : subjects) {
                OnnxSessionFactory.open(s.model(), new OnnxSessionFactory.Options(Device.CUDA, 0, 0)).close();
                out.println("gpu-check: the CUDA provider loads the " + s.role() + " (" + s.model().getFileName() + ")");
            }
        } catch (ModelLoadException e) {
            out.println("gpu-check: CUDA is not usable here: " + e.getMessage() + " Nothing to check.");
            return 0;
        }
        List<Row> rows = new GpuCheck(Device.CPU, Device.CUDA, 50).compare(subjects);
        out.print(table(rows, "CPU", "CUDA"));
        out.print(settings(rows));
        return 0;
    }

    /** Each subject timed on both devices, the same inputs in the same order. */
    List<Row> compare(List<Subject> subjects) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (Subject s : subjects) {
            try (OnnxModel a = OnnxSessionFactory.open(s.model(), new OnnxSessionFactory.Options(baseline, 0, 0));
                    OnnxModel b = OnnxSessionFactory.open(s.model(), new OnnxSessionFactory.Options(candidate, 0, 0))) {
                for (int batch : s.batches()) {
                    if (batch > 1 && fixedBatch(a)) {
                        continue;
                    }
                    rows.add(new Row(s.role() + " " + s.model().getFileName(), batch, msPerRun(a, batch), msPerRun(b, batch)));
                }
            }
        }
        return rows;
    }

    private static boolean fixedBatch(OnnxModel model) {
        return model.inputShapes().values().stream().allMatch(shape -> shape.length > 0 && shape[0] > 0);
    }

    /** Milliseconds per run of zero inputs of {@code batch} items, after three warm-up runs. */
    private double msPerRun(OnnxModel model, int batch) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (var input : model.inputShapes().entrySet()) {
                long[] shape = input.getValue().clone();
                long size = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = d == 0 && shape[d] <= 0 ? batch : Math.max(1, shape[d]);
                    size *= shape[d];
                }
                inputs.put(input.getKey(), OnnxTensor.createTensor(env, FloatBuffer.allocate((int) size), shape));
            }
            for (int i = 0; i < 3; i++) {
                model.session().run(inputs).close();
            }
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                try (OrtSession.Result r = model.session().run(inputs)) {
                    r.size();
                }
            }
            return (System.nanoTime() - start) / 1e6 / runs;
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    static String table(List<Row> rows, String baseline, String candidate) {
        StringBuilder out = new StringBuilder(String.format("%n| model | batch | %s ms per run | %s ms per run | "
                + "speed-up | %s items/s |%n|---|---|---|---|---|---|%n", baseline, candidate, candidate));
        for (Row r : rows) {
            out.append(String.format("| %s | %d | %.2f | %.2f | %.1f× | %.0f |%n", r.model(), r.batch(), r.baselineMs(),
                    r.candidateMs(), r.speedUp(), r.candidateItemsPerSecond()));
        }
        return out.toString();
    }

    /** What k8s/overlays/gpu sets from the table: each model's device, and the scorer's batch. */
    static String settings(List<Row> rows) {
        StringBuilder out = new StringBuilder("\nSettings for k8s/overlays/gpu (gpu-stages.yaml):\n");
        for (String role : List.of("detector", "scorer")) {
            List<Row> mine = rows.stream().filter(r -> r.model().startsWith(role + " ")).toList();
            if (mine.isEmpty()) {
                continue;
            }
            boolean faster = mine.stream().anyMatch(r -> r.speedUp() > 1);
            String prefix = role.equals("detector") ? "VIGIL_DETECTOR_" : "VIGIL_SCORER_";
            out.append(String.format("  %sDEVICE=%s%n", prefix, faster ? "cuda" : "cpu (CUDA is not faster here)"));
            if (role.equals("scorer") && faster) {
                Row best = mine.stream().max(java.util.Comparator.comparingDouble(Row::candidateItemsPerSecond)).orElseThrow();
                out.append(String.format("  VIGIL_SCORER_MAX_BATCH=%d%n", best.batch()));
            }
        }
        return out.toString();
    }
}
