package io.vigil.vision.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import io.vigil.vision.detect.DetectionInput;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.detect.ObjectDetector;
import io.vigil.vision.image.ImageCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicBatchTest {

    @TempDir
    Path temp;

    @Test
    void yoloxWithItsBatchFixedAtOneBecomesBatchable() {
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        Path out = temp.resolve("dyn.onnx");
        assertEquals(3, DynamicBatch.rewrite(yolox, out), "the three head Reshapes hard-code batch 1");
        try (OnnxModel model = OnnxSessionFactory.open(out, OnnxSessionFactory.Options.cpu(2))) {
            assertArrayEquals(new long[] {-1, 3, 416, 416}, model.inputShapes().get("images"));
            assertTrue(DynamicBatch.verify(model), "a batch of two equals two single runs");
        }
        try (OnnxModel original = OnnxSessionFactory.open(yolox, OnnxSessionFactory.Options.cpu(2))) {
            assertTrue(!DynamicBatch.verify(original), "the original cannot run a batch of two");
        }
    }

    @Test
    void detectorRunsBatchesOfEightWithTheSameBoxesAsSingleFrames() throws Exception {
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        DetectorSpec batched = new DetectorSpec(DetectorSpec.Backend.YOLOX, yolox, Device.CPU, 2, 416, 0.1f, 0.45f, 8, true,
                MotionDetector.Settings.defaults());
        DetectorSpec single = new DetectorSpec(DetectorSpec.Backend.YOLOX, yolox, Device.CPU, 2, 416, 0.1f, 0.45f, 8, false,
                MotionDetector.Settings.defaults());
        ImageCodec codec = new ImageCodec();
        List<DetectionInput> frames = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            frames.add(new DetectionInput("c", i, codec.decode(Files.readAllBytes(
                    SharedData.ped2TestVideo("05").resolve(String.format("%03d.jpg", i * 15))))));
        }
        try (ObjectDetector a = batched.create(); ObjectDetector b = single.create()) {
            assertEquals(8, a.maxBatch());
            assertEquals(1, b.maxBatch());
            assertEquals(b.detect(frames).toString(), a.detect(frames).toString());
        }
    }
}
