package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaskCalibrationTest {

    @Test
    void surpriseIsTheRarityOfAScoreAmongNormalObjects() {
        float[] normal = new float[10_000];
        for (int i = 0; i < normal.length; i++) {
            normal[(i * 7919) % normal.length] = (i + 0.5f) / normal.length; // uniform on [0, 1), in no order
        }
        TaskCalibration c = TaskCalibration.of(normal);
        assertEquals(0.5f, c.mean(), 0.01);
        assertEquals(0f, c.surprise(-1f));
        assertEquals(Math.log10(2), c.surprise(0.5f), 0.02, "half the normal objects reach the median");
        assertEquals(2f, c.surprise(0.99f), 0.05, "one in 100 reaches 0.99");
        assertEquals(3f, c.surprise(0.999f), 0.05, "one in 1000 reaches 0.999");
        float previous = -1;
        for (float x = -0.5f; x < 3f; x += 0.001f) {
            float s = c.surprise(x);
            assertTrue(s >= previous, "non-decreasing at " + x);
            assertTrue(s <= c.maxSurprise(), "bounded at " + x);
            previous = s;
        }
        assertEquals(4f + TaskCalibration.EXTRAPOLATION, c.maxSurprise(), 1e-6, "10^4 objects, then 2 decades more");
        assertEquals(c.maxSurprise(), c.surprise(1e30f), 1e-6);
        assertEquals(c, TaskCalibration.fromMetadata(c.toMetadata("t"), "t"), "metadata round trip");
    }

    @Test
    void aScoreSharedByMostNormalObjectsIsNotRare() {
        // A head that is 0 on 90 % of normal objects (as the irregularity head is, almost): 0 is not a surprise at all,
        // anything above it is already one in ten.
        float[] normal = new float[1000];
        for (int i = 900; i < 1000; i++) {
            normal[i] = (i - 899) / 100f;
        }
        TaskCalibration c = TaskCalibration.of(normal);
        assertTrue(c.surprise(0f) < 0.05f, "surprise(0) = " + c.surprise(0f));
        float justAbove = c.surprise(1e-6f);
        assertTrue(justAbove >= 0.75f && justAbove <= 1f, "between the table's levels around one in ten: " + justAbove);
        assertEquals(1f, c.surprise(0.01f), 1e-6, "one in ten normal objects reaches the smallest non-zero value");
        assertTrue(c.surprise(1.0f) >= 2.9f, "the largest normal value is one in a thousand: " + c.surprise(1.0f));
    }
}
