package io.vigil.bench;

import static io.vigil.bench.BenchSupport.best;
import static io.vigil.bench.BenchSupport.fmt;
import static io.vigil.bench.BenchSupport.writeReport;

import io.vigil.common.scoring.ScoringModel;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What holding many per-camera models costs one scorer, side by side in one run: N sessions of the same SSMTL model
 * (each a camera's; the scorer's cache keeps them loaded), their load time and resident memory, and objects/s when
 * successive batches of 32 go to successive models (cameras taking turns), for N = 1 and N = 50 by default.
 * Not a test: run {@code java -jar bench/target/vigil-bench.jar models}.
 */
final class ModelsBench {

    private static final int BATCH = 32;

    private ModelsBench() {
    }

    static void run(Path model, List<Integer> counts, int sequences, int threads, boolean arena) throws Exception {
        List<ObjectSequence> input = ScorerBench.randomSequences(sequences, new Random(7));
        StringBuilder table = new StringBuilder("| models held | load time per model | resident memory added | per model | "
                + "objects/s, batches of " + BATCH + " to the models in turn |\n|---|---|---|---|---|\n");
        for (int n : counts) {
            long before = residentBytes();
            long start = System.nanoTime();
            List<ScoringModel> sessions = new ArrayList<>();
            List<SsmtlScorer> scorers = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    // As the scorer loads a camera's model: its cues, only their heads in the graph.
                    ScoringModel m = new ScoringModel(ScoringModel.file(model), arena ? OnnxSessionFactory.Options.cpu(threads)
                            : OnnxSessionFactory.Options.cpu(threads).withoutMemoryArena(), null,
                            TaskCalibration.Mode.valueOf(TaskCalibration.DEFAULT_MODE));
                    sessions.add(m);
                    ScoringModel.Version version = m.acquire();
                    scorers.add(version.scorer());
                    version.release();
                }
                double loadSeconds = (System.nanoTime() - start) / 1e9;
                // Every model's first batch (its arena, its kernels' first run) before any timing, as a scorer that
                // has served each camera for a while; then rounds in which each model scores at least two batches.
                scorers.forEach(sc -> sc.score(input.subList(0, BATCH)));
                List<ObjectSequence> round = new ArrayList<>();
                while (round.size() < Math.max(input.size(), 2 * n * BATCH)) {
                    round.addAll(input);
                }
                int[] turn = {0};
                double rate = best(3, () -> BenchSupport.timeBatches(round, BATCH,
                        batch -> scorers.get(turn[0]++ % n).score(batch)));
                long added = residentBytes() - before;
                table.append(String.format("| %d | %.2f s | %.0f MB | %.1f MB | %s |%n", n, loadSeconds / n, added / 1e6,
                        added / 1e6 / n, fmt(rate)));
                System.out.printf("%d models: %.0f MB resident added, %s objects/s%n", n, added / 1e6, fmt(rate));
            } finally {
                sessions.forEach(ScoringModel::close);
            }
        }
        writeReport(arena ? "models.md" : "models-no-arena.md", "Per-camera models held by one scorer"
                + (arena ? "" : ", sessions without the CPU memory arena") + ", " + LocalDateTime.now().withNano(0) + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + threads + " intra-op threads, model "
                + model.getFileName() + ", " + sequences + " random sequences, each model warmed up with one batch, then rounds "
                + "in which every model scores at least 2 batches (best of 3 after a warm-up round).\n"
                + "Command: `java -jar bench/target/vigil-bench.jar models " + model + " " + counts.toString()
                        .replaceAll("[\\[\\] ]", "") + (arena ? "" : " --no-arena") + "`. Memory is the JVM's resident set (VmRSS) after loading and "
                + "scoring, less before; the models run one after the other in the same process, so later rows may reuse "
                + "memory the earlier ones freed.\n\n" + table);
    }

    /** The process's resident set (VmRSS), in bytes. */
    static long residentBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
