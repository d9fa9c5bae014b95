package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MotionSpeedTest {

    static final int T = 7;
    static final int S = 64;

    /** A grey grating (period 16 px) moving right by {@code v} crop pixels per frame, as planar RGB in [0, 1]. */
    static float[] grating(float v) {
        int plane = S * S;
        float[] planar = new float[3 * T * plane];
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < T; t++) {
                for (int y = 0; y < S; y++) {
                    for (int x = 0; x < S; x++) {
                        planar[(c * T + t) * plane + y * S + x] = 0.5f + 0.25f * (float) Math.sin(2 * Math.PI * (x - v * t) / 16);
                    }
                }
            }
        }
        return planar;
    }

    @Test
    void speedIsHowFarThePatternMovesPerFrame() {
        float still = MotionSpeed.of(grating(0), 0, T, S);
        float one = MotionSpeed.of(grating(1), 0, T, S);
        float two = MotionSpeed.of(grating(2), 0, T, S);
        assertEquals(0f, still, 1e-6, "nothing moves");
        assertTrue(one > 0.6f && one < 1.1f, "1 px per frame reads as " + one);
        assertEquals(2f, two / one, 0.3, "twice as fast: " + one + " vs " + two);
    }

    @Test
    void theObjectOffsetInABatchIsHonoured() {
        float[] one = grating(1);
        float[] batch = new float[2 * one.length];
        System.arraycopy(one, 0, batch, one.length, one.length);
        assertEquals(MotionSpeed.of(one, 0, T, S), MotionSpeed.of(batch, one.length, T, S), 0f);
        assertEquals(0f, MotionSpeed.of(batch, 0, T, S), 0f);
    }

    @Test
    void givesTheDefinitionsNumbersToTheLastBit() {
        java.util.Random random = new java.util.Random(3);
        int[][] shapes = {{7, 64}, {3, 16}, {9, 64}, {5, 32}, {7, 64}};
        for (int[] shape : shapes) {
            int frames = shape[0];
            int crop = shape[1];
            float[] planar = new float[5 + 3 * frames * crop * crop];
            for (int i = 0; i < planar.length; i++) {
                planar[i] = random.nextInt(256) / 255f;
            }
            assertEquals(PlainReference.motionSpeed(planar, 5, frames, crop), MotionSpeed.of(planar, 5, frames, crop), 0f,
                    frames + " crops of " + crop + " px");
        }
    }
}
