package io.vigil.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.sequence.WindowPlan;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskSamplerTest {

    private final TaskSampler sampler = new TaskSampler(3, 4);

    @Test
    void reversedIsTheConsecutiveWindowBackwards() {
        WindowPlan forward = sampler.consecutive(50, i -> true);
        assertEquals(List.of(47L, 48L, 49L, 50L, 51L, 52L, 53L), forward.frameIndices());
        assertEquals(List.of(53L, 52L, 51L, 50L, 49L, 48L, 47L), TaskSampler.reversed(forward).frameIndices());
    }

    @Test
    void intermittentWindowsKeepTheMiddleAndHaveGaps() {
        Random random = new Random(1);
        for (int n = 0; n < 200; n++) {
            WindowPlan w = sampler.intermittent(50, i -> i < 100, random).orElseThrow();
            List<Long> f = w.frameIndices();
            assertEquals(7, f.size());
            assertEquals(50L, f.get(3), "the middle frame stays");
            for (int k = 1; k < 7; k++) {
                assertTrue(f.get(k) > f.get(k - 1), "time order, no repeats: " + f);
            }
            assertTrue(f.get(0) >= 50 - 12 && f.get(6) <= 50 + 12, "within maxGap * t: " + f);
            assertNotEquals(sampler.consecutive(50, i -> true).frameIndices(), f);
        }
    }

    @Test
    void noIntermittentWindowWhereTheVideoIsTooShort() {
        assertTrue(sampler.intermittent(1, i -> i >= 0 && i < 100, new Random(2)).isEmpty(), "only one frame before 1");
        assertTrue(sampler.intermittent(10, i -> i >= 7 && i <= 13, new Random(2)).isEmpty());
    }
}
