package io.vigil.vision.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CropsTest {

    /** 200x100 frame: grey everywhere, with a 128x64 block at (40,20) whose left half is red, right half blue. */
    static RgbImage frameWithBlock() {
        byte[] p = new byte[200 * 100 * 3];
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 200; x++) {
                int i = (y * 200 + x) * 3;
                boolean inBlock = x >= 40 && x < 168 && y >= 20 && y < 84;
                boolean left = x < 104;
                p[i] = (byte) (inBlock ? (left ? 250 : 0) : 90);
                p[i + 1] = (byte) (inBlock ? 0 : 90);
                p[i + 2] = (byte) (inBlock ? (left ? 0 : 250) : 90);
            }
        }
        return new RgbImage(200, 100, p);
    }

    @Test
    void cropOfAKnownBlockIsExactly64x64HalfRedHalfBlue() {
        RgbImage crop = Crops.cropResize(frameWithBlock(), new CropBox(40, 20, 168, 84), 64);
        byte[] expected = new byte[64 * 64 * 3];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int i = (y * 64 + x) * 3;
                expected[i] = (byte) (x < 32 ? 250 : 0);
                expected[i + 2] = (byte) (x < 32 ? 0 : 250);
            }
        }
        assertEquals(64, crop.width());
        assertArrayEquals(expected, crop.pixels(), "2:1 area downscale of a two-colour block is exact");
    }

    @Test
    void boxPartlyOutsideIsClippedToTheFrame() {
        // Box extends past the left and top edges: only the in-frame part (0..40 x 0..20, all grey) is used.
        RgbImage crop = Crops.cropResize(frameWithBlock(), new CropBox(-30, -30, 40, 20), 8);
        for (byte b : crop.pixels()) {
            assertEquals(90, b & 0xFF);
        }
        assertArrayEquals(new int[] {0, 0, 40, 20}, Crops.clippedRect(new CropBox(-30, -30, 40, 20), 200, 100));
    }

    @Test
    void boxOutsideTheFrameOrDegenerateIsRejected() {
        assertThrows(BoxOutsideFrameException.class, () -> Crops.cropResize(frameWithBlock(), new CropBox(210, 10, 260, 50), 64));
        assertThrows(BoxOutsideFrameException.class, () -> Crops.cropResize(frameWithBlock(), new CropBox(50, 50, 50, 80), 64));
        assertThrows(BoxOutsideFrameException.class, () -> Crops.cropResize(frameWithBlock(), new CropBox(10, 10, 5, 80), 64));
    }

    @Test
    void smallBoxesAreUpscaled() {
        RgbImage crop = Crops.cropResize(frameWithBlock(), new CropBox(50, 30, 60, 40), 64);
        assertEquals(250, crop.value(31, 31, 0));
        assertEquals(0, crop.value(31, 31, 2));
    }

    @Test
    void enlargementKeepsTheCentre() {
        CropBox b = new CropBox(10, 20, 30, 60).enlarged(1.5f);
        assertEquals(5f, b.x1(), 1e-6);
        assertEquals(35f, b.x2(), 1e-6);
        assertEquals(10f, b.y1(), 1e-6);
        assertEquals(70f, b.y2(), 1e-6);
    }
}
