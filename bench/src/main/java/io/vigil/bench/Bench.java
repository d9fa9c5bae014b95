package io.vigil.bench;

import java.util.Arrays;

/** {@code java -jar bench/target/vigil-bench.jar detector|scorer|pipeline|profile|soak [args]}: the benchmark harnesses. */
public final class Bench {

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (which) {
            case "detector" -> DetectorBench.main(rest);
            case "scorer" -> ScorerBench.main(rest);
            case "pipeline" -> PipelineBench.main(rest);
            case "profile" -> JfrProfile.main(rest);
            case "soak" -> SoakBench.main(rest);
            default -> {
                System.err.println("usage: vigil-bench.jar detector [frames-dir] [model] [frames] [threads] [python]\n"
                        + "       vigil-bench.jar scorer [sequences] [threads] [python]\n"
                        + "       vigil-bench.jar pipeline [video-dir] [yolox.onnx] [ssmtl.onnx] [cameras,...]\n"
                        + "       vigil-bench.jar profile jfr-dir from-epoch-ms to-epoch-ms frames\n"
                        + "       vigil-bench.jar soak [duration, e.g. 30m] [cameras] [synthetic-uri]");
                System.exit(2);
            }
        }
    }

    private Bench() {
    }
}
