package io.vigil.vision.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import io.vigil.vision.onnx.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The motion detector's boxes added to a model's: only where the kept model boxes leave a moving thing uncovered. */
class MovingObjectsTest {

    static DetectedBox box(float x1, float y1, float x2, float y2, int classId, float confidence) {
        return new DetectedBox(x1, y1, x2, y2, classId, confidence, new float[0]);
    }

    @Test
    void aMovingBoxIsAddedOnlyWhereNoKeptBoxCoversIt() {
        DetectedBox person = box(10, 10, 30, 50, 0, 0.9f);
        DetectedBox onPerson = box(12, 12, 30, 52, -1, 1f); // the same pedestrian, moving
        DetectedBox halfCovered = box(20, 10, 60, 50, -1, 1f); // a quarter of it under the person
        DetectedBox elsewhere = box(100, 100, 130, 120, -1, 1f); // a skateboarder the model missed
        List<DetectedBox> out = FrameDetector.addUncovered(List.of(person), List.of(onPerson, halfCovered, elsewhere));
        assertEquals(List.of(person, halfCovered, elsewhere), out);
    }

    /** The defaults, but 10 frames of warm-up: the square crosses the image in 30. */
    static final MotionDetector.Settings SHORT_WARMUP = new MotionDetector.Settings(200, 9, false, 40, 3, 10);

    /**
     * Through FrameDetector with YOLOX-Nano and the motion detector: a grey square gliding over a still checkerboard is
     * nothing YOLOX knows, so the motion detector's box for it is added; the frames say which detectors made them.
     */
    @Test
    void frameDetectorAddsAMovingThingTheModelDoesNotKnow() {
        ImageCodec codec = new ImageCodec();
        DetectionFilter filter = DetectionFilter.of(0.3f, Map.of(), Set.of(), 4f);
        DetectorSpec spec = new DetectorSpec(DetectorSpec.Backend.YOLOX, SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"),
                Device.CPU, 1, 416, 0.3f, 0.45f, 8, true, SHORT_WARMUP, true);
        List<FrameDetections> out = new ArrayList<>();
        try (FrameDetector detector = spec.frameDetector(spec.create(), filter, codec)) {
            assertEquals("yolox:yolox_nano.onnx+motion:mog2", detector.name());
            for (int i = 0; i < 30; i++) {
                RgbImage image = square(160, 120, 20 + 3 * i, 50, 16);
                Frame frame = Frame.newBuilder().setCameraId("c").setFrameIndex(i)
                        .setJpeg(ByteString.copyFrom(codec.encodeJpeg(image, 95))).build();
                out.add(((FrameDetector.Detected) detector.process(List.of(frame)).get(0)).detections());
            }
        }
        FrameDetections last = out.get(29);
        assertEquals("yolox:yolox_nano.onnx+motion:mog2", last.getDetector());
        List<Detection> moving = last.getDetectionsList().stream().filter(d -> d.getClassId() == -1).toList();
        assertEquals(1, moving.size(), "the moving square: " + last);
        float x = 20 + 3 * 29;
        assertTrue(moving.get(0).getBox().getX1() < x + 8 && moving.get(0).getBox().getX2() > x + 8,
                "the box is on the square: " + moving.get(0).getBox());
        assertTrue(out.get(0).getDetectionsList().stream().noneMatch(d -> d.getClassId() == -1),
                "the first frames only learn the background");
    }

    /** A bright square of side {@code side} at (x, y) on a dark, textured background. */
    static RgbImage square(int w, int h, int x, int y, int side) {
        byte[] px = new byte[w * h * 3];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int v = (r / 8 + c / 8) % 2 == 0 ? 40 : 60;
                if (c >= x && c < x + side && r >= y && r < y + side) {
                    v = 230;
                }
                for (int k = 0; k < 3; k++) {
                    px[(r * w + c) * 3 + k] = (byte) v;
                }
            }
        }
        return new RgbImage(w, h, px);
    }
}
