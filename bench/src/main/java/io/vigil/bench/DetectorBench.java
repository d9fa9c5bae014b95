package io.vigil.bench;

import static io.vigil.bench.BenchSupport.best;
import static io.vigil.bench.BenchSupport.fmt;
import static io.vigil.bench.BenchSupport.match;
import static io.vigil.bench.BenchSupport.timeBatches;
import static io.vigil.bench.BenchSupport.runPython;
import static io.vigil.bench.BenchSupport.timeSessionRuns;
import static io.vigil.bench.BenchSupport.writeReport;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.detect.DetectionInput;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.detect.ObjectDetector;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.Letterbox;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.DynamicBatch;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Detector throughput on CPU, side by side in one run: Vigil's YOLOX detector end to end (letterbox, ONNX Runtime
 * Java, decoding, NMS) and inference alone, at batch 1 and batch 8, against Python onnxruntime running the same
 * model on the same preprocessed tensors. Not a test: run {@code bench/run-detector-bench.sh}.
 *
 * <pre>java -jar bench/target/vigil-bench.jar detector [frames-dir] [model] [frames] [threads] [python]</pre>
 */
public final class DetectorBench {

    private static final int SIZE = 416;

    static void run(Path frames, Path model, int count, int threads, String python) throws Exception {

        ImageCodec codec = new ImageCodec();
        List<DetectionInput> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(frames)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(count).toList()) {
                inputs.add(new DetectionInput("bench", inputs.size(), codec.decode(Files.readAllBytes(f))));
            }
        }
        System.out.printf("%d Ped2 frames (%dx%d) from %s, model %s, %d intra-op threads, %d cores%n", inputs.size(),
                inputs.get(0).image().width(), inputs.get(0).image().height(), frames, model.getFileName(), threads,
                Runtime.getRuntime().availableProcessors());

        Path work = Files.createTempDirectory("vigil-bench-");
        Path dynamicModel = work.resolve("model-dynamic-batch.onnx");
        DynamicBatch.rewrite(model, dynamicModel);
        Path tensors = work.resolve("inputs.f32");
        writeTensors(inputs, tensors);

        List<String[]> rows = new ArrayList<>();
        for (int batch : new int[] {1, 8}) {
            double[] e2e = new double[2];
            for (int fitted = 0; fitted < 2; fitted++) {
                DetectorSpec spec = new DetectorSpec(DetectorSpec.Backend.YOLOX, model, Device.CPU, threads, SIZE, 0.1f, 0.45f,
                        batch, batch > 1, MotionDetector.Settings.defaults(), false, fitted == 1);
                try (ObjectDetector detector = spec.create()) {
                    e2e[fitted] = best(3, () -> timeBatches(inputs, batch, detector::detect));
                }
            }
            double inference;
            // Same session settings as Python's defaults (idle threads spin), so both runtimes do the same work.
            try (OnnxModel onnx = OnnxSessionFactory.open(batch > 1 ? dynamicModel : model,
                    new OnnxSessionFactory.Options(Device.CPU, threads, 0, true))) {
                String input = onnx.inputShapes().keySet().iterator().next();
                inference = best(3, () -> timeSessionRuns(onnx, input, tensors, new long[] {3, SIZE, SIZE}, inputs.size(), batch));
            }
            rows.add(new String[] {Integer.toString(batch), fmt(e2e[0]), fmt(e2e[1]), fmt(inference)});
        }

        String pythonJson = runPython(python, "detector_bench.py", List.of("--model", dynamicModel.toString(), "--input",
                tensors.toString(), "--size", Integer.toString(SIZE), "--batches", "1,8", "--threads",
                Integer.toString(threads)), "is onnxruntime installed? pip install onnxruntime");
        System.out.println("python: " + pythonJson);
        String version = match(pythonJson, "\"onnxruntime\": \"([^\"]+)\"");
        StringBuilder table = new StringBuilder();
        table.append("| batch | Vigil detector end to end (Java), the model's square | the same, fitted input (the default) "
                + "| ONNX Runtime Java, inference only (square) | Python onnxruntime ")
                .append(version).append(", inference only (square) | Java / Python (inference) |\n|---|---|---|---|---|---|\n");
        for (String[] r : rows) {
            double py = Double.parseDouble(match(pythonJson, "\"batch\": " + r[0] + ", \"fps\": ([0-9.]+)"));
            table.append(String.format("| %s | %s fps | %s fps | %s fps | %s fps | %.2f |%n", r[0], r[1], r[2], r[3], fmt(py),
                    Double.parseDouble(r[3]) / py));
        }
        String report = "Detector benchmark, " + LocalDateTime.now().withNano(0) + "\n\n" + inputs.size()
                + " frames of UCSD Ped2 test video 01 (360x240), YOLOX-Nano 416, CPU, " + threads
                + " intra-op threads, best of 3 rounds after a warm-up. Batch 8 uses the model rewritten for dynamic "
                + "batches (DynamicBatch). End to end = what the object-detector service runs per batch (letterbox, "
                + "inference with idle threads not spinning, decoding, NMS), on the model's 416x416 square or on the "
                + "fitted input (416x288 here: the frame scaled as for the square, padded to whole strides); inference "
                + "only = session runs on the "
                + "same preprocessed tensors in both runtimes, with ONNX Runtime's default spinning threads. "
                + "Command: bench/run-detector-bench.sh\n\n" + table;
        writeReport("detector.md", report);
    }

    /** The letterboxed YOLOX input of every frame, as little-endian float32, for both runtimes. */
    private static void writeTensors(List<DetectionInput> inputs, Path file) throws IOException {
        int per = 3 * SIZE * SIZE;
        float[] chw = new float[per];
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            ByteBuffer buf = ByteBuffer.allocate(per * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (DetectionInput in : inputs) {
                Letterbox lb = Letterbox.of(in.image().width(), in.image().height(), SIZE, Letterbox.Placement.TOP_LEFT);
                lb.writeChw(in.image(), true, 1f, 114, chw, 0);
                buf.clear();
                buf.asFloatBuffer().put(chw);
                out.write(buf.array());
            }
        }
    }

    private DetectorBench() {
    }
}
