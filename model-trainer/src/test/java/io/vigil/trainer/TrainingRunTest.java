package io.vigil.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.detect.DetectorSpec;
import io.vigil.common.detect.MotionDetector;
import io.vigil.common.onnx.Device;
import io.vigil.common.onnx.OnnxModel;
import io.vigil.common.onnx.OnnxSessionFactory;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.testkit.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small end-to-end training job: detection, teacher, epochs with checkpoints, calibration, export; then resume. */
class TrainingRunTest {

    @TempDir
    Path temp;

    private TrainingRun.Options options(Path data, Path out, int epochs, boolean resume) {
        DetectorSpec detector = new DetectorSpec(DetectorSpec.Backend.YOLOX, SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"),
                Device.CPU, 2, 416, 0.5f, 0.45f, 8, true, MotionDetector.Settings.defaults());
        return new TrainingRun.Options(data, detector, 0.5f,
                SharedData.require("models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx"), Architecture.SHALLOW_NARROW,
                SequenceSettings.paper(), 4, epochs, 8, 1e-3f, 0.5f, 7, 0.15, 2, out, resume);
    }

    @Test
    void trainsExportsWithCalibrationAndResumesFromItsCheckpoint() throws Exception {
        Path data = temp.resolve("data");
        for (String video : new String[] {"01", "02"}) {
            Path src = SharedData.ped2TrainingVideo(video);
            Path dst = Files.createDirectories(data.resolve(video));
            for (int i = 0; i < 30; i++) {
                String name = String.format("%03d.jpg", i);
                Files.copy(src.resolve(name), dst.resolve(name));
            }
        }
        Path out = temp.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path model = new TrainingRun(options(data, out, 2, false), new PrintStream(log, true)).run();
        String text = log.toString();
        assertTrue(text.contains("epoch 2 done"), text);
        assertTrue(text.contains("teacher mobilenetv2-12-int8.onnx: 1000 logits"), text);
        assertTrue(text.contains("ETA"), "progress lines: " + text);
        assertTrue(Files.exists(out.resolve("detections/01.pb")), "detections are cached");
        try (OnnxModel onnx = OnnxSessionFactory.open(model, OnnxSessionFactory.Options.cpu(1))) {
            Map<String, String> meta = onnx.customMetadata();
            assertEquals("shallow-narrow", meta.get("vigil.architecture"));
            assertEquals("3", meta.get("vigil.t"));
            assertEquals(1080L, onnx.outputShapes().get(OnnxExporter.DISTILLATION)[1], "80 detector + 1000 teacher");
            for (String task : Calibration.TASKS) {
                float mean = Float.parseFloat(meta.get("vigil.calibration." + task + ".mean"));
                float p99 = Float.parseFloat(meta.get("vigil.calibration." + task + ".p99"));
                assertTrue(mean >= 0 && p99 >= mean, task + ": mean " + mean + " p99 " + p99);
            }
        }

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new TrainingRun(options(data, out, 3, true), new PrintStream(again, true)).run();
        String resumed = again.toString();
        assertTrue(resumed.contains("resumed from the checkpoint of epoch 2"), resumed);
        assertTrue(resumed.contains("epoch 3 done") && !resumed.contains("epoch 1/3"), resumed);
    }
}
