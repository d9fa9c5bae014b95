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
    void yoloxRewrittenForAnyImageSizeRunsARectangleAndGivesTheSquaresOutputsOnTheSquare() throws Exception {
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        Path out = temp.resolve("any.onnx");
        DynamicBatch.rewrite(yolox, out, true);
        try (OnnxModel model = OnnxSessionFactory.open(out, OnnxSessionFactory.Options.cpu(2));
                OnnxModel original = OnnxSessionFactory.open(yolox, OnnxSessionFactory.Options.cpu(2))) {
            assertArrayEquals(new long[] {-1, 3, -1, -1}, model.inputShapes().get("images"));
            assertEquals(-1, model.outputShapes().get("output")[1], "the anchors follow the image size");
            assertTrue(DynamicBatch.verify(model, new long[] {1, 3, 416, 416}));
            assertTrue(DynamicBatch.verify(model, new long[] {1, 3, 288, 416}), "a batch of two 416x288 images runs");
            float[] image = new float[3 * 416 * 416];
            for (int i = 0; i < image.length; i++) {
                image[i] = (i * 31 % 255);
            }
            assertArrayEquals(run(original, image, 416), run(model, image, 416), "the rewrite changes no computation");
            assertEquals(2457 * 85, run(model, java.util.Arrays.copyOf(image, 3 * 288 * 416), 288).length,
                    "anchors of the 8/16/32 grids of 416x288");
        }
    }

    private static float[] run(OnnxModel model, float[] image, int height) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(image),
                new long[] {1, 3, height, 416}); ai.onnxruntime.OrtSession.Result r = model.session().run(java.util.Map.of("images", t))) {
            java.nio.FloatBuffer b = ((ai.onnxruntime.OnnxTensor) r.get(0)).getFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return v;
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
