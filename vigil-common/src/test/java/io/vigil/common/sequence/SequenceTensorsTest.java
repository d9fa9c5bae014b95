package io.vigil.common.sequence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.common.scoring.PlainReference;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SequenceTensorsTest {

    @Test
    void givesThePlainCodesFloatsToTheLastBit() {
        int frames = 7;
        int crop = 64;
        int plane = crop * crop;
        byte[] pixels = new byte[frames * plane * 3];
        new Random(5).nextBytes(pixels);
        float[] expected = new float[2 + 3 * frames * plane];
        PlainReference.planar(pixels, frames, crop, expected, 2);
        float[] out = new float[expected.length];
        SequenceTensors.planar(pixels, frames, crop, out, 2);
        assertArrayEquals(expected, out, 0f);
    }

    @Test
    void aWrongLengthIsRefusedWithTheShapeItExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SequenceTensors.planar(new byte[10], 7, 64));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("86016 bytes"), e.getMessage());
    }
}
