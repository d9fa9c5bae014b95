package io.vigil.trainer;

import io.vigil.common.detect.DetectorSpec;
import io.vigil.common.detect.MotionDetector;
import io.vigil.common.onnx.Device;
import io.vigil.common.sequence.SequenceSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command line of the trainer:
 * <pre>
 * java -Dai.djl.offline=true -jar model-trainer/target/model-trainer.jar \
 *   --data ../shared/datasets/ucsd-ped2/training --out models/ped2 \
 *   --detector yolox --detector-model ../shared/models/yolox-nano-coco/yolox_nano.onnx \
 *   [--teacher ../shared/models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx] \
 *   [--architecture shallow-narrow] [--epochs 10] [--batch 32] [--lr 1e-3] [--lambda 0.5] [--seed 1] \
 *   [--t 3] [--max-gap 4] [--object-fraction 1.0] [--detector-threshold 0.5] [--threads 0] [--resume]
 * </pre>
 */
public final class TrainMain {

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        Map<String, String> a = new HashMap<>();
        boolean resume = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--resume")) {
                resume = true;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                a.put(args[i].substring(2), args[++i]);
            } else {
                System.err.println("unexpected argument " + args[i] + "; see the class documentation for usage");
                System.exit(2);
            }
        }
        if (!a.containsKey("data") || !a.containsKey("out")) {
            System.err.println("usage: --data <folder of normal videos> --out <folder> [--detector yolox --detector-model F] "
                    + "[--teacher F] [--architecture shallow-narrow] [--epochs N] [--batch N] [--lr X] [--lambda X] [--resume]");
            System.exit(2);
        }
        int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
        DetectorSpec detector = new DetectorSpec(DetectorSpec.Backend.parse(a.getOrDefault("detector", "yolox")),
                a.containsKey("detector-model") ? Path.of(a.get("detector-model")) : null, Device.AUTO, threads, 640,
                Float.parseFloat(a.getOrDefault("detector-threshold", "0.5")), 0.45f, 8, true, MotionDetector.Settings.defaults());
        TrainingRun.Options options = new TrainingRun.Options(Path.of(a.get("data")), detector,
                Float.parseFloat(a.getOrDefault("detector-threshold", "0.5")),
                a.containsKey("teacher") ? Path.of(a.get("teacher")) : null,
                Architecture.parse(a.getOrDefault("architecture", "shallow-narrow")),
                new SequenceSettings(Integer.parseInt(a.getOrDefault("t", "3")), 64, 1f, 4f),
                Integer.parseInt(a.getOrDefault("max-gap", "4")),
                Integer.parseInt(a.getOrDefault("epochs", "10")),
                Integer.parseInt(a.getOrDefault("batch", "32")),
                Float.parseFloat(a.getOrDefault("lr", "1e-3")),
                Float.parseFloat(a.getOrDefault("lambda", "0.5")),
                Long.parseLong(a.getOrDefault("seed", "1")),
                Double.parseDouble(a.getOrDefault("object-fraction", "1.0")), threads,
                Path.of(a.get("out")), resume);
        Path model = new TrainingRun(options, System.out).run();
        System.out.println("model: " + model.toAbsolutePath());
    }

    private TrainMain() {
    }
}
