package io.vigil.vision.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LetterboxTest {

    @Test
    void aFittedInputHoldsTheFrameScaledAsForTheSquareInWholeStrides() {
        Letterbox square = Letterbox.of(360, 240, 416, Letterbox.Placement.TOP_LEFT);
        Letterbox fitted = Letterbox.fitted(360, 240, 416, 32, Letterbox.Placement.TOP_LEFT);
        assertEquals(416, square.inputHeight());
        assertEquals(square.scale(), fitted.scale());
        assertEquals(277, fitted.resizedHeight());
        assertEquals(416, fitted.inputWidth());
        assertEquals(288, fitted.inputHeight(), "277 rows in whole strides of 32");
        assertEquals(square.toSourceY(100f), fitted.toSourceY(100f));

        Letterbox portrait = Letterbox.fitted(810, 1080, 416, 32, Letterbox.Placement.CENTER);
        assertEquals(312, portrait.resizedWidth());
        assertEquals(320, portrait.inputWidth());
        assertEquals(4, portrait.padX(), "centred in its own input");
    }

    @Test
    void theFittedInputIsWrittenRowByRowWithItsOwnWidth() {
        byte[] pixels = new byte[5 * 2 * 3];
        java.util.Arrays.fill(pixels, (byte) 200);
        RgbImage image = new RgbImage(5, 2, pixels);
        Letterbox fitted = Letterbox.fitted(5, 2, 8, 4, Letterbox.Placement.TOP_LEFT);
        assertEquals(8, fitted.inputWidth());
        assertEquals(3, fitted.resizedHeight());
        assertEquals(4, fitted.inputHeight());
        float[] chw = new float[3 * 8 * 4];
        fitted.writeChw(image, false, 1f, 114, chw, 0);
        assertEquals(200f, chw[2 * 8 + 7], "the last pixel of the image's last row");
        assertEquals(114f, chw[3 * 8], "padding below");
        assertEquals(200f, chw[2 * 32 + 7], "the third channel's plane is the fitted input's");
        assertEquals(114f, chw[3 * 32 - 1], "and ends with the padding");
    }
}
