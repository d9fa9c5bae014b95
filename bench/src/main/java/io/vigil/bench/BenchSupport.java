package io.vigil.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.onnx.OnnxModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the benchmark harnesses share: best-of-N timing, the Python side, the report file. */
final class BenchSupport {

    interface Run {
        /** Items per second of one timed round. */
        double rate() throws Exception;
    }

    /** One warm-up round, then the best of {@code rounds}. */
    static double best(int rounds, Run run) throws Exception {
        run.rate();
        double best = 0;
        for (int i = 0; i < rounds; i++) {
            best = Math.max(best, run.rate());
        }
        return best;
    }

    /** Items per second of {@code work} run over {@code items} in batches (the remainder left out). */
    static <T> double timeBatches(List<T> items, int batch, java.util.function.Consumer<List<T>> work) {
        int n = items.size() / batch * batch;
        long start = System.nanoTime();
        for (int i = 0; i < n; i += batch) {
            work.accept(items.subList(i, i + batch));
        }
        return perSecond(n, start);
    }

    static double perSecond(int items, long startNanos) {
        return items / ((System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * Session runs alone: the little-endian float32 tensors of {@code count} items of {@code itemShape} in
     * {@code tensors}, in batches, through {@code model}; items per second.
     */
    static double timeSessionRuns(OnnxModel model, String input, Path tensors, long[] itemShape, int count, int batch)
            throws Exception {
        int per = 1;
        for (long d : itemShape) {
            per *= (int) d;
        }
        long[] shape = new long[itemShape.length + 1];
        shape[0] = batch;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        FloatBuffer all = ByteBuffer.wrap(Files.readAllBytes(tensors)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int n = count / batch * batch;
        List<OnnxTensor> chunks = new ArrayList<>();
        for (int i = 0; i < n; i += batch) {
            float[] chunk = new float[batch * per];
            all.get(i * per, chunk);
            chunks.add(OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(chunk), shape));
        }
        try {
            long start = System.nanoTime();
            for (OnnxTensor t : chunks) {
                try (OrtSession.Result r = model.session().run(Map.of(input, t))) {
                    r.get(0);
                }
            }
            return perSecond(n, start);
        } finally {
            chunks.forEach(OnnxTensor::close);
        }
    }

    /** Runs a Python script of bench/python and returns the last line it prints (its JSON result). */
    static String runPython(String python, String script, List<String> args, String hint) throws Exception {
        List<String> command = new ArrayList<>(List.of(python, "bench/python/" + script));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(script + " failed (" + hint + ")");
        }
        String[] lines = out.split("\n");
        return lines[lines.length - 1];
    }

    static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in " + text);
        }
        return m.group(1);
    }

    static String fmt(double rate) {
        return String.format("%.1f", rate);
    }

    static void writeReport(String name, String report) throws Exception {
        report = report + "\nCode: commit " + commit() + ".\n";
        System.out.println();
        System.out.println(report);
        Path results = Path.of("bench/results");
        Files.createDirectories(results);
        Files.writeString(results.resolve(name), report, StandardCharsets.UTF_8);
    }

    /** The checked-out commit (with "+changes" when the tree differs), or "unknown" outside a git clone. */
    static String commit() {
        try {
            Process head = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String hash = new String(head.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            Process status = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").start();
            boolean changed = !new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank();
            return head.waitFor() == 0 && status.waitFor() == 0 ? hash + (changed ? "+changes" : "") : "unknown";
        } catch (java.io.IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private BenchSupport() {
    }
}
