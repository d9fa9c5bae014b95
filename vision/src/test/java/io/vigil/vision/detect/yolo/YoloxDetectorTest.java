package io.vigil.vision.detect.yolo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import io.vigil.vision.detect.DetectedBox;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectionInput;
import io.vigil.vision.detect.TestImages;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real YOLOX-Nano (COCO) on real images. */
class YoloxDetectorTest {

    static final int PERSON = 0;
    static final int BUS = 5;
    static YoloxDetector detector;

    @BeforeAll
    static void load() {
        detector = new YoloxDetector(OnnxSessionFactory.open(SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"),
                OnnxSessionFactory.Options.cpu(2)), 416, false, 0.1f, 0.45f, 8);
    }

    @AfterAll
    static void close() {
        if (detector != null) {
            detector.close();
        }
    }

    private static List<DetectedBox> detect(String camera, java.nio.file.Path image) {
        io.vigil.vision.image.RgbImage rgb = TestImages.read(image);
        return DetectionFilter.threshold(0.5f).apply(
                detector.detect(List.of(new DetectionInput(camera, 0, rgb))).get(0), rgb.width(), rgb.height());
    }

    @Test
    void findsTheBusAndThePeopleOnBusJpg() {
        List<DetectedBox> boxes = detect("bus", SharedData.require("test-images/bus.jpg"));
        long people = boxes.stream().filter(b -> b.classId() == PERSON).count();
        assertTrue(boxes.stream().anyMatch(b -> b.classId() == BUS && b.width() > 400), "a large bus: " + boxes);
        assertTrue(people >= 3, "people: " + boxes);
        DetectedBox any = boxes.get(0);
        assertEquals(80, any.classProbabilities().length);
        assertEquals(any.confidence(), any.classProbabilities()[any.classId()], 1e-6, "the box's class carries its confidence");
    }

    @Test
    void findsAtLeastFivePeopleOnAPed2Frame() {
        List<DetectedBox> boxes = detect("ped2", SharedData.ped2TestVideo("01").resolve("100.jpg"));
        long people = boxes.stream().filter(b -> b.classId() == PERSON).count();
        assertTrue(people >= 5, "people on Ped2 test 01 frame 100: " + boxes);
        for (DetectedBox b : boxes) {
            assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= 360 && b.y2() <= 240, "inside the frame: " + b);
        }
    }

    @Test
    void aBatchGivesTheSameBoxesAsSingleFrames() {
        io.vigil.vision.image.RgbImage a = TestImages.read(SharedData.ped2TestVideo("02").resolve("050.jpg"));
        io.vigil.vision.image.RgbImage b = TestImages.read(SharedData.require("test-images/bus.jpg"));
        List<List<DetectedBox>> batch = detector.detect(List.of(new DetectionInput("a", 1, a), new DetectionInput("b", 1, b)));
        List<DetectedBox> single = detector.detect(List.of(new DetectionInput("b", 1, b))).get(0);
        assertEquals(single.toString(), batch.get(1).toString());
    }

    @Test
    void onAFittedInputItFindsThePeopleTheSquareFinds() {
        io.vigil.vision.detect.DetectorSpec spec = new io.vigil.vision.detect.DetectorSpec(
                io.vigil.vision.detect.DetectorSpec.Backend.YOLOX, SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"),
                io.vigil.vision.onnx.Device.CPU, 2, 416, 0.1f, 0.45f, 8, true,
                io.vigil.vision.detect.MotionDetector.Settings.defaults(), false, true);
        DetectionFilter kept = DetectionFilter.threshold(0.5f);
        int matched = 0;
        int all = 0;
        try (io.vigil.vision.detect.ObjectDetector fitted = spec.create()) {
            for (String frame : List.of("000.jpg", "060.jpg", "120.jpg", "170.jpg")) {
                io.vigil.vision.image.RgbImage rgb = TestImages.read(SharedData.ped2TestVideo("04").resolve(frame));
                List<DetectionInput> in = List.of(new DetectionInput("c", 0, rgb));
                List<DetectedBox> square = kept.apply(detector.detect(in).get(0), rgb.width(), rgb.height());
                List<DetectedBox> onFitted = kept.apply(fitted.detect(in).get(0), rgb.width(), rgb.height());
                for (DetectedBox b : square) {
                    all++;
                    if (onFitted.stream().anyMatch(f -> f.classId() == b.classId() && f.iou(b) > 0.8)) {
                        matched++;
                    }
                }
            }
            // Frames of two shapes in one batch run apart, so each gets the boxes it gets alone.
            io.vigil.vision.image.RgbImage ped2 = TestImages.read(SharedData.ped2TestVideo("02").resolve("050.jpg"));
            io.vigil.vision.image.RgbImage bus = TestImages.read(SharedData.require("test-images/bus.jpg"));
            List<List<DetectedBox>> batch = fitted.detect(List.of(new DetectionInput("a", 1, ped2), new DetectionInput("b", 1, bus),
                    new DetectionInput("a", 2, ped2)));
            assertEquals(fitted.detect(List.of(new DetectionInput("b", 1, bus))).get(0).toString(), batch.get(1).toString());
            assertEquals(fitted.detect(List.of(new DetectionInput("a", 1, ped2))).get(0).toString(), batch.get(2).toString());
        }
        assertTrue(all >= 10 && matched >= all * 9 / 10, matched + " of the square's " + all + " boxes found on the fitted input");
    }

    @Test
    void aModelOfAnotherFormatIsRejectedNamingTheShapes() {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> new YoloxDetector(OnnxSessionFactory.open(
                SharedData.require("models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx"), OnnxSessionFactory.Options.cpu(1)),
                416, false, 0.1f, 0.45f, 1));
        assertTrue(e.getMessage().contains("mobilenetv2-12-int8.onnx") && e.getMessage().contains("yolox")
                && e.getMessage().contains("85"), e.getMessage());
    }
}
