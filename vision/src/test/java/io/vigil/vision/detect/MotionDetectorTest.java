package io.vigil.vision.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import io.vigil.vision.detect.yolo.YoloxDetector;
import io.vigil.vision.image.RgbImage;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MotionDetectorTest {

    @Test
    void findsTheMovingPeopleOfAPed2Clip() {
        // Defaults were tuned on test video 01; this checks them on video 04.
        Path clip = SharedData.ped2TestVideo("04");
        MotionDetector motion = MotionDetector.defaults();
        List<DetectedBox> moving = List.of();
        RgbImage last = null;
        for (int i = 0; i <= 60; i++) {
            last = TestImages.read(clip.resolve(String.format("%03d.jpg", i)));
            moving = motion.detect(List.of(new DetectionInput("ped2-04", i, last))).get(0);
            if (i < MotionDetector.Settings.WARMUP_FRAMES) {
                assertTrue(moving.isEmpty(), "warm-up frames only train the background");
            }
        }
        assertTrue(moving.size() >= 3, "moving blobs at frame 60: " + moving);
        assertTrue(moving.stream().allMatch(b -> b.classId() == -1 && b.classProbabilities().length == 0));

        // Most people YOLOX sees in that frame overlap a motion box: the blobs are the walking people.
        try (YoloxDetector yolox = new YoloxDetector(OnnxSessionFactory.open(
                SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"), OnnxSessionFactory.Options.cpu(2)), 416, false, 0.1f, 0.45f, 1)) {
            List<DetectedBox> people = DetectionFilter.threshold(0.5f)
                    .apply(yolox.detect(List.of(new DetectionInput("x", 60, last))).get(0), 360, 240).stream()
                    .filter(b -> b.classId() == 0).toList();
            final List<DetectedBox> blobs = moving;
            long covered = people.stream().filter(p -> blobs.stream().anyMatch(m -> m.iou(p) > 0.1)).count();
            assertTrue(people.size() >= 5, "people: " + people);
            assertTrue(covered * 2 >= people.size(), covered + " of " + people.size() + " people overlap a motion box; "
                    + "blobs " + blobs + " people " + people);
        }
        motion.close();
    }

    @Test
    void camerasHaveSeparateBackgrounds() {
        MotionDetector motion = new MotionDetector(new MotionDetector.Settings(50, 25, false, 20, 1, 1));
        RgbImage dark = TestImages.gray(64, 48);
        byte[] bright = new byte[64 * 48 * 3];
        java.util.Arrays.fill(bright, (byte) 250);
        for (int i = 0; i < 30; i++) {
            motion.detect(List.of(new DetectionInput("a", i, dark)));
        }
        // Camera b only ever saw bright frames: a bright frame is all background to it.
        for (int i = 0; i < 30; i++) {
            motion.detect(List.of(new DetectionInput("b", i, new RgbImage(64, 48, bright))));
        }
        assertEquals(0, motion.detect(List.of(new DetectionInput("b", 30, new RgbImage(64, 48, bright)))).get(0).size());
        // Camera a learned dark: a bright frame is all foreground.
        assertEquals(1, motion.detect(List.of(new DetectionInput("a", 30, new RgbImage(64, 48, bright)))).get(0).size());
        motion.close();
    }
}
