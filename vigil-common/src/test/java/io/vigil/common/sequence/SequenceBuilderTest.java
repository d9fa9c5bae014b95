package io.vigil.common.sequence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.image.RgbImage;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SequenceBuilderTest {

    @Test
    void fullWindowUsesEveryFrame() {
        WindowPlan p = WindowPlan.plan(10, 3, i -> true);
        assertEquals(List.of(7L, 8L, 9L, 10L, 11L, 12L, 13L), p.frameIndices());
        assertFalse(p.padded());
    }

    @Test
    void cameraStartAndEndRepeatTheNearestFrame() {
        assertEquals(List.of(0L, 0L, 0L, 0L, 1L, 2L, 3L), WindowPlan.plan(0, 3, i -> i >= 0).frameIndices());
        assertEquals(List.of(0L, 0L, 0L, 1L, 2L, 3L, 4L), WindowPlan.plan(1, 3, i -> true).frameIndices());
        WindowPlan end = WindowPlan.plan(98, 3, i -> i <= 99);
        assertEquals(List.of(95L, 96L, 97L, 98L, 99L, 99L, 99L), end.frameIndices());
        assertTrue(end.padded());
    }

    @Test
    void aLostFrameIsReplacedByItsNeighbourTowardsTheMiddle() {
        Set<Long> there = Set.of(4L, 6L, 7L, 8L, 10L);
        WindowPlan p = WindowPlan.plan(7, 3, there::contains);
        assertEquals(List.of(4L, 6L, 6L, 7L, 8L, 8L, 10L), p.frameIndices(), "5 and 9 are lost");
        assertTrue(p.padded());
    }

    /** Frame f: every pixel of column x is (x, f, 255 - x), so a crop tells which frame and columns it came from. */
    static RgbImage frame(int f) {
        byte[] px = new byte[128 * 96 * 3];
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 128; x++) {
                int i = (y * 128 + x) * 3;
                px[i] = (byte) x;
                px[i + 1] = (byte) f;
                px[i + 2] = (byte) (255 - x);
            }
        }
        return new RgbImage(128, 96, px);
    }

    static FrameDetections detections(long frame, float x1, float y1, float x2, float y2) {
        return FrameDetections.newBuilder().setCameraId("cam").setFrameIndex(frame).setWidth(128).setHeight(96)
                .addDetections(Detection.newBuilder().setBox(Box.newBuilder().setX1(x1).setY1(y1).setX2(x2).setY2(y2))
                        .setClassId(0).setConfidence(0.9f))
                .build();
    }

    @Test
    void cropsTheSameBoxFromEveryFrameOfTheWindow() {
        SequenceBuilder builder = new SequenceBuilder(new SequenceSettings(2, 8, 1f, 2f));
        // Box x 32..48 (16 px) -> 8 px: area averaging of column pairs gives 32.5 -> rounds per OpenCV.
        FrameDetections d = detections(5, 32, 10, 48, 26);
        WindowPlan plan = WindowPlan.plan(5, 2, i -> true);
        List<SequenceBuilder.Outcome> out = builder.build(d, plan, i -> frame((int) i));
        ObjectSequence s = assertInstanceOf(SequenceBuilder.Built.class, out.get(0)).sequence();
        assertEquals(5, s.getSequenceLength());
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), s.getFrameIndicesList());
        byte[] px = s.getPixels().toByteArray();
        assertEquals(5 * 8 * 8 * 3, px.length);
        RgbImage expected0 = io.vigil.vision.image.Crops.cropResize(frame(3),
                new io.vigil.vision.image.CropBox(32, 10, 48, 26), 8);
        assertArrayEquals(expected0.pixels(), java.util.Arrays.copyOfRange(px, 0, 8 * 8 * 3));
        for (int t = 0; t < 5; t++) {
            int base = t * 8 * 8 * 3;
            assertEquals(3 + t, px[base + 1] & 0xFF, "green channel carries the frame index");
            int red = px[base] & 0xFF;
            assertTrue(red >= 32 && red <= 34, "leftmost crop column comes from x 32..33: " + red);
        }
    }

    @Test
    void boxesOutsideSmallOrOnAResizedFrameAreReported() {
        SequenceBuilder builder = new SequenceBuilder(new SequenceSettings(1, 8, 1f, 4f));
        WindowPlan plan = WindowPlan.plan(5, 1, i -> true);
        assertInstanceOf(SequenceBuilder.Failed.class, builder.build(detections(5, 200, 10, 260, 50), plan,
                i -> frame((int) i)).get(0));
        assertInstanceOf(SequenceBuilder.Skipped.class, builder.build(detections(5, 10, 10, 12, 50), plan,
                i -> frame((int) i)).get(0));
        SequenceBuilder.Failed resized = assertInstanceOf(SequenceBuilder.Failed.class, builder.build(
                detections(5, 10, 10, 40, 50), plan, i -> i == 6 ? new RgbImage(64, 48, new byte[64 * 48 * 3]) : frame((int) i))
                .get(0));
        assertTrue(resized.reason().contains("frame size changed"), resized.reason());
    }
}
