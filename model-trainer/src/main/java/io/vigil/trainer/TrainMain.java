package io.vigil.trainer;

import io.vigil.common.detect.DetectionFilter;
import io.vigil.common.detect.DetectorSpec;
import io.vigil.common.detect.MotionDetector;
import io.vigil.common.onnx.Device;
import io.vigil.common.onnx.OnnxMetadata;
import io.vigil.common.sequence.SequenceSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command line of the trainer:
 * <pre>
 * java -jar model-trainer/target/model-trainer.jar \
 *   --data ../shared/datasets/ucsd-ped2/training --out models/ped2 --holdout 14,15,16 \
 *   --detector yolox --detector-model ../shared/models/yolox-nano-coco/yolox_nano.onnx \
 *   [--teacher ../shared/models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx] \
 *   [--architecture shallow-narrow] [--epochs 10] [--batch 32] [--lr 1e-3] [--lambda 0.5] [--seed 1] \
 *   [--t 3] [--max-gap 4] [--object-fraction 1.0] [--detector-threshold 0.3] [--class-thresholds person=0.5]
 *   [--add-moving-objects false] [--threads 0] [--resume]
 *
 * java -jar model-trainer/target/model-trainer.jar calibrate --model M.onnx --data DIR [--videos 14,15,16] \
 *   --detector yolox --detector-model F [--detector-threshold 0.3] [--add-moving-objects false] [--work .vigil/calibration]
 *   [--out M2.onnx]
 * </pre>
 * {@code calibrate} puts an existing model on the surprise scale with normal videos it did not train on;
 * {@code optimize --model M.onnx [--out M2.onnx]} rewrites a model exported before {@link SsmtlGraphOptimizer}.
 */
public final class TrainMain {

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        if (args.length > 0 && args[0].equals("optimize")) {
            optimize(args);
            return;
        }
        boolean calibrate = args.length > 0 && args[0].equals("calibrate");
        Map<String, String> a = new HashMap<>();
        boolean resume = false;
        for (int i = calibrate ? 1 : 0; i < args.length; i++) {
            if (args[i].equals("--resume")) {
                resume = true;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                a.put(args[i].substring(2), args[++i]);
            } else {
                System.err.println("unexpected argument " + args[i] + "; see the class documentation for usage");
                System.exit(2);
            }
        }
        if (!a.containsKey("data") || !a.containsKey(calibrate ? "model" : "out")) {
            System.err.println("usage: --data <folder of normal videos> --out <folder> [--holdout 14,15,16] [--detector yolox "
                    + "--detector-model F] [--add-moving-objects true] [--teacher F] [--architecture shallow-narrow] "
                    + "[--epochs N] [--batch N] [--lr X] "
                    + "[--lambda X] [--resume]\n   or: calibrate --model M.onnx --data <folder> [--videos 14,15,16] "
                    + "[--detector yolox --detector-model F] [--out M2.onnx]");
            System.exit(2);
        }
        int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
        // The detector service's defaults: the model learns the objects the deployment will show it.
        DetectionFilter filter = DetectionFilter.of(Float.parseFloat(a.getOrDefault("detector-threshold",
                DetectionFilter.DEFAULT_THRESHOLD)), DetectionFilter.parseClassThresholds(a.getOrDefault("class-thresholds", "")),
                Set.of(), 4f);
        DetectorSpec detector = new DetectorSpec(DetectorSpec.Backend.parse(a.getOrDefault("detector", "yolox")),
                a.containsKey("detector-model") ? Path.of(a.get("detector-model")) : null, Device.AUTO, threads, 640,
                filter.lowestThreshold(), 0.45f, 8, true, MotionDetector.Settings.defaults(),
                Boolean.parseBoolean(a.getOrDefault("add-moving-objects", "false")));
        SequenceSettings sequences = SequenceSettings.paper().withT(Integer.parseInt(a.getOrDefault("t", SequenceSettings.DEFAULT_T)));
        if (calibrate) {
            Path model = Path.of(a.get("model"));
            List<ObjectClips.Video> videos = TrainingRun.loadVideos(Path.of(a.get("data")), list(a.getOrDefault("videos", "")),
                    detector, filter, Path.of(a.getOrDefault("work", ".vigil/calibration")).resolve("detections"), System.out);
            Path out = OnnxMetadata.update(model, ModelCalibration.of(model, videos, sequences, threads, System.out),
                    Path.of(a.getOrDefault("out", model.toString())));
            System.out.println("calibrated model: " + out.toAbsolutePath());
            return;
        }
        TrainingRun.Options options = new TrainingRun.Options(Path.of(a.get("data")), detector, filter,
                a.containsKey("teacher") ? Path.of(a.get("teacher")) : null,
                Architecture.parse(a.getOrDefault("architecture", "shallow-narrow")), sequences,
                Integer.parseInt(a.getOrDefault("max-gap", "4")),
                Integer.parseInt(a.getOrDefault("epochs", "10")),
                Integer.parseInt(a.getOrDefault("batch", "32")),
                Float.parseFloat(a.getOrDefault("lr", "1e-3")),
                Float.parseFloat(a.getOrDefault("lambda", "0.5")),
                Long.parseLong(a.getOrDefault("seed", "1")),
                Double.parseDouble(a.getOrDefault("object-fraction", "1.0")), threads, list(a.getOrDefault("holdout", "")),
                Path.of(a.get("out")), resume);
        Path model = new TrainingRun(options, System.out).run();
        System.out.println("model: " + model.toAbsolutePath());
    }

    /** {@code optimize --model M.onnx [--out M2.onnx]}: a model exported before {@link SsmtlGraphOptimizer}, rewritten. */
    private static void optimize(String[] args) {
        if (args.length < 3 || !args[1].equals("--model") || (args.length != 3 && (args.length != 5 || !args[3].equals("--out")))) {
            System.err.println("usage: optimize --model M.onnx [--out M2.onnx]");
            System.exit(2);
        }
        Path model = Path.of(args[2]);
        SsmtlGraphOptimizer.Rewritten r = SsmtlGraphOptimizer.rewrite(model, Path.of(args.length == 5 ? args[4] : args[2]));
        System.out.printf("%s: %s; max abs output difference %.2e%n", r.file(), r.report().changed() ? r.report()
                : "already rewritten or nothing to rewrite", r.maxDifference());
    }

    private static List<String> list(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).toList();
    }

    private TrainMain() {
    }
}
