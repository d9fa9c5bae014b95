package io.vigil.vision.detect.yolo;

import static io.vigil.vision.onnx.OnnxGraphBuilder.intAttr;
import static io.vigil.vision.onnx.OnnxGraphBuilder.intsAttr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.vision.detect.DetectedBox;
import io.vigil.vision.detect.DetectionInput;
import io.vigil.vision.detect.TestImages;
import io.vigil.vision.image.Letterbox;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.OnnxSessionFactory;
import io.vigil.vision.onnx.proto.TensorProto.DataType;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YOLOv3 (ONNX zoo) and Ultralytics decoders, checked with tiny ONNX models built here in exactly those I/O
 * formats, whose outputs are known: the real models are too large to ship.
 */
class FormatDecoderTest {

    @TempDir
    Path temp;

    /** A [N,1,1] tensor of zeros that depends on the image input, so outputs have the input's batch size. */
    private static String zeroPerImage(OnnxGraphBuilder g, String image) {
        String mean = g.node("ReduceMean", new String[] {image}, intsAttr("axes", 1, 2, 3), intAttr("keepdims", 0));
        String unsq = g.node("Unsqueeze", new String[] {mean}, intsAttr("axes", 1, 2));
        String zero = g.floatInitializer("zero", new float[] {0f}, 1);
        return g.node("Mul", new String[] {unsq, zero});
    }

    /**
     * yolov3-10 format. Three boxes given as fractions (y1,x1,y2,x2) of the image; the model multiplies them by
     * image_shape, as the real model maps boxes back to the original frame. indices select (batch, class, box).
     */
    private Path tinyYolov3() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("tiny-yolov3", 12);
        String image = g.input("input_1", DataType.FLOAT, "N", 3, 416, 416);
        String shape = g.input("image_shape", DataType.FLOAT, "N", 2);
        int m = 3;
        float[] fractions = {
            0.10f, 0.20f, 0.50f, 0.40f, // box 0
            0.30f, 0.50f, 0.90f, 0.70f, // box 1
            0.00f, 0.00f, 0.25f, 0.25f}; // box 2
        String norm = g.floatInitializer("norm_boxes", fractions, 1, m, 4);
        String hwhw = g.node("Concat", new String[] {shape, shape}, intAttr("axis", 1));
        String scale = g.node("Unsqueeze", new String[] {hwhw}, intsAttr("axes", 1));
        g.node("Mul", new String[] {norm, scale}, new String[] {"boxes"});
        float[] scores = new float[80 * m];
        scores[0 * m + 0] = 0.91f; // person, box 0
        scores[2 * m + 0] = 0.05f;
        scores[1 * m + 1] = 0.77f; // bicycle, box 1
        scores[0 * m + 1] = 0.12f;
        scores[7 * m + 2] = 0.66f; // truck, box 2
        String constScores = g.floatInitializer("const_scores", scores, 1, 80, m);
        g.node("Add", new String[] {constScores, zeroPerImage(g, image)}, new String[] {"scores"});
        // image 0: person (box 0) and truck (box 2); image 1: bicycle (box 1)
        String idx = g.intInitializer("const_indices", new int[] {0, 0, 0, 1, 1, 1, 0, 7, 2}, 3, 3);
        g.node("Identity", new String[] {idx}, new String[] {"indices"});
        g.output("boxes", DataType.FLOAT, "N", m, 4);
        g.output("scores", DataType.FLOAT, "N", 80, m);
        g.output("indices", DataType.INT32, 3, 3);
        return g.write(temp.resolve("tiny-yolov3.onnx"));
    }

    @Test
    void yolov3DecoderReadsBoxesScoresAndIndicesPerImage() {
        try (Yolov3Detector d = new Yolov3Detector(OnnxSessionFactory.open(tinyYolov3(), OnnxSessionFactory.Options.cpu(1)), 8)) {
            List<List<DetectedBox>> out = d.detect(List.of(
                    new DetectionInput("a", 0, TestImages.gray(640, 480)),
                    new DetectionInput("b", 0, TestImages.gray(360, 240))));
            List<DetectedBox> first = out.get(0).stream().sorted(Comparator.comparingInt(DetectedBox::classId)).toList();
            assertEquals(2, first.size());
            DetectedBox person = first.get(0);
            assertEquals(0, person.classId());
            assertEquals(0.91f, person.confidence(), 1e-6);
            // (y1,x1,y2,x2) = (0.1,0.2,0.5,0.4) of a 640x480 frame, returned as x1,y1,x2,y2
            assertEquals(0.20f * 640, person.x1(), 1e-3);
            assertEquals(0.10f * 480, person.y1(), 1e-3);
            assertEquals(0.40f * 640, person.x2(), 1e-3);
            assertEquals(0.50f * 480, person.y2(), 1e-3);
            assertEquals(0.05f, person.classProbabilities()[2], 1e-6, "the box's column of the 80 scores");
            assertEquals(7, first.get(1).classId());
            List<DetectedBox> second = out.get(1);
            assertEquals(1, second.size());
            assertEquals(1, second.get(0).classId());
            assertEquals(0.50f * 360, second.get(0).x1(), 1e-3, "image_shape of the second image is used for it");
            assertEquals(0.90f * 240, second.get(0).y2(), 1e-3);
            assertEquals(0.12f, second.get(0).classProbabilities()[0], 1e-6);
        }
    }

    /** Ultralytics format [N,84,A] at 640: four anchors in letterboxed input pixels. */
    private Path tinyUltralytics() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("tiny-ultralytics", 12);
        String image = g.input("images", DataType.FLOAT, "N", 3, 640, 640);
        int a = 4;
        float[] out = new float[84 * a];
        float[][] anchors = {
            {320, 320, 100, 50}, // person 0.9
            {322, 321, 100, 52}, // same person 0.8: removed by NMS
            {100, 300, 40, 80},  // car 0.7
            {500, 500, 30, 30}}; // 0.1: below the candidate threshold
        float[][] classScore = {{0, 0.9f}, {0, 0.8f}, {2, 0.7f}, {3, 0.1f}};
        for (int i = 0; i < a; i++) {
            for (int k = 0; k < 4; k++) {
                out[k * a + i] = anchors[i][k];
            }
            out[(4 + (int) classScore[i][0]) * a + i] = classScore[i][1];
        }
        out[(4 + 15) * a] = 0.2f; // a second class score on anchor 0, for the probability vector
        String constOut = g.floatInitializer("const_out", out, 1, 84, a);
        g.node("Add", new String[] {constOut, zeroPerImage(g, image)}, new String[] {"output0"});
        g.output("output0", DataType.FLOAT, "N", 84, a);
        return g.write(temp.resolve("tiny-ultralytics.onnx"));
    }

    @Test
    void ultralyticsDecoderUnmapsTheLetterboxAndAppliesNms() {
        try (UltralyticsDetector d = new UltralyticsDetector(OnnxSessionFactory.open(tinyUltralytics(),
                OnnxSessionFactory.Options.cpu(1)), 0.25f, 0.45f, 4, 640)) {
            List<DetectedBox> boxes = d.detect(List.of(new DetectionInput("a", 0, TestImages.gray(360, 240)))).get(0);
            assertEquals(2, boxes.size(), "duplicate suppressed, low score dropped: " + boxes);
            DetectedBox person = boxes.get(0);
            assertEquals(0, person.classId());
            assertEquals(0.9f, person.confidence(), 1e-6);
            assertEquals(0.2f, person.classProbabilities()[15], 1e-6);
            // 360x240 into 640: scale 16/9, image 640x427 centred, 106 px of padding above
            float scale = Math.min(640f / 360, 640f / 240);
            float padY = (640 - Math.round(240 * scale)) / 2;
            assertEquals((320 - 50) / scale, person.x1(), 1e-3);
            assertEquals((320 - 25 - padY) / scale, person.y1(), 1e-3);
            assertEquals((320 + 50) / scale, person.x2(), 1e-3);
            assertEquals((320 + 25 - padY) / scale, person.y2(), 1e-3);
            assertEquals(2, boxes.get(1).classId());
        }
    }

    @Test
    void wrongFormatsFailAtStartWithTheExpectedShapes() {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> new Yolov3Detector(
                OnnxSessionFactory.open(tinyUltralytics(), OnnxSessionFactory.Options.cpu(1)), 1));
        assertTrue(e.getMessage().contains("image_shape") && e.getMessage().contains("tiny-ultralytics.onnx"), e.getMessage());
        ModelLoadException u = assertThrows(ModelLoadException.class, () -> new UltralyticsDetector(
                OnnxSessionFactory.open(tinyYolov3(), OnnxSessionFactory.Options.cpu(1)), 0.25f, 0.45f, 1, 640));
        assertTrue(u.getMessage().contains("[N, 84, anchors]"), u.getMessage());
    }

    @Test
    void letterboxPlacesAndMapsBack() {
        Letterbox centre = Letterbox.of(360, 240, 416, Letterbox.Placement.CENTER);
        assertEquals(416, centre.resizedWidth());
        assertEquals(277, centre.resizedHeight());
        assertEquals(69, centre.padY());
        assertEquals(100f, centre.toSourceX(100 * centre.scale()), 1e-4);
        assertEquals(50f, centre.toSourceY(50 * centre.scale() + 69), 1e-4);
        Letterbox corner = Letterbox.of(360, 240, 416, Letterbox.Placement.TOP_LEFT);
        assertEquals(0, corner.padY());

        float[] chw = new float[3 * 416 * 416];
        byte[] px = new byte[360 * 240 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200; // R
            px[i + 2] = (byte) 10; // B
        }
        centre.writeChw(new io.vigil.vision.image.RgbImage(360, 240, px), true, 255f, 114, chw, 0);
        int plane = 416 * 416;
        assertEquals(114 / 255f, chw[10 * 416 + 5], 1e-6, "padding above the image");
        assertEquals(10 / 255f, chw[200 * 416 + 200], 1e-6, "BGR: channel 0 is blue");
        assertEquals(200 / 255f, chw[2 * plane + 200 * 416 + 200], 1e-6);
    }
}
