package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thresholds from a false-alarm budget, on exact series. */
class ThresholdCalibrationTest {

    /** Open 3, close 2, announced after 5 frames, dips of up to 10 frames merged, no cooldown. */
    static final EventDetector.Settings DEFAULTS = new EventDetector.Settings(3f, 2f, 5, 10, 0, 0);
    /** 10 frames/s: 36,000 frames are one hour. */
    static final double FPS = 10;

    /** An hour of score 1 with bumps: {start, length, height}. */
    static float[] hour(float[]... bumps) {
        float[] s = new float[36_000];
        Arrays.fill(s, 1f);
        for (float[] b : bumps) {
            Arrays.fill(s, (int) b[0], (int) (b[0] + b[1]), b[2]);
        }
        return s;
    }

    @Test
    void aQuietCameraKeepsTheDefault() {
        // One bump of 2.9 for 50 frames: below the default open threshold, no event.
        ThresholdCalibration.Choice c = ThresholdCalibration.choose(List.of(hour(new float[] {100, 50, 2.9f})), FPS, 1, DEFAULTS);
        assertEquals(3f, c.open());
        assertEquals(2f, c.close());
        assertEquals(0, c.eventsAtDefault());
        assertEquals(1.0, c.hours(), 1e-9);
    }

    @Test
    void aNoisyCameraGetsTheLowestThresholdWithinItsBudget() {
        // Three bumps of 3.5, 4.0 and 4.5, each 20 frames, far apart. In 24 hours at 2 events/day, 2 are allowed.
        float[][] bumps = {{1000, 20, 3.5f}, {10_000, 20, 4.0f}, {20_000, 20, 4.5f}};
        List<float[]> day = java.util.Collections.nCopies(24, hour(bumps));
        ThresholdCalibration.Choice c = ThresholdCalibration.choose(day, FPS, 2, DEFAULTS);
        assertEquals(72, c.eventsAtDefault(), "3 an hour at the default");
        assertEquals(2, c.allowed());
        // Even just above 4.0, the 4.5 bumps give 24 events: only above 4.5 are there none.
        assertEquals(Math.nextUp(4.5f), c.open());
        assertEquals(Math.nextUp(4.5f) * 2 / 3, c.close(), 1e-6);
        assertEquals(0, c.eventsAtChoice());

        // One hour at 48 events/day allows 2: just above 3.5 leaves the 4.0 and 4.5 bumps, 2 events.
        ThresholdCalibration.Choice hourly = ThresholdCalibration.choose(List.of(hour(bumps)), FPS, 48, DEFAULTS);
        assertEquals(Math.nextUp(3.5f), hourly.open());
        assertEquals(2, hourly.eventsAtChoice());
        assertEquals(3, hourly.eventsAtDefault());
    }

    @Test
    void blipsShorterThanTheMinimumDurationAreNotFalseAlarms() {
        // 4 frames at 6.0 never last the 5 frames an event needs; 5 frames at 3.2 do.
        ThresholdCalibration.Choice c = ThresholdCalibration.choose(List.of(hour(new float[] {100, 4, 6f},
                new float[] {5000, 5, 3.2f})), FPS, 0, DEFAULTS);
        assertEquals(1, c.eventsAtDefault());
        assertEquals(Math.nextUp(3.2f), c.open(), "the 6.0 blip does not count; above 3.2 nothing opens");
        assertEquals(0, c.eventsAtChoice());
    }

    /**
     * {@code hours} of footage whose minute-long blocks each hold one 20-frame bump, the bumps' heights spread evenly
     * over the quantiles of a Gumbel distribution (location 2, scale 0.3).
     */
    static List<float[]> gumbelBlocks(int hours) {
        int blocks = hours * 60;
        List<float[]> out = new java.util.ArrayList<>();
        for (int h = 0; h < hours; h++) {
            float[][] bumps = new float[60][];
            for (int b = 0; b < 60; b++) {
                double u = (h * 60 + b + 0.5) / blocks;
                bumps[b] = new float[] {b * 600 + 100, 20, (float) (2 - 0.3 * Math.log(-Math.log(u)))};
            }
            out.add(hour(bumps));
        }
        return out;
    }

    @Test
    void footageShorterThanTheBudgetsPeriodIsExtrapolatedAlongItsTail() {
        // 3 hours, 1 event a day: none allowed. The highest bump (≈ 3.76) would give about one event in 3 hours; the
        // tail says where one in 24 hours lies: the Gumbel quantile a minute-long block exceeds with p = 1/1440.
        List<float[]> footage = gumbelBlocks(3);
        ThresholdCalibration.Choice c = ThresholdCalibration.choose(footage, FPS, 1, DEFAULTS);
        double expected = 2 - 0.3 * Math.log(-Math.log1p(-1.0 / 1440));
        assertEquals(180, c.tail().blocks());
        assertEquals(expected, c.tail().open(), 0.05 * expected, "the tail's quantile, near the distribution's");
        float highest = 0;
        for (float[] s : footage) {
            for (float v : s) {
                highest = Math.max(highest, v);
            }
        }
        assertTrue(c.open() > Math.nextUp(highest), "above what the footage's own highest score calls for");
        assertEquals(c.tail().open(), c.open());
        assertEquals(c.open() * 2 / 3, c.close(), 1e-6);
        assertEquals(0, c.eventsAtChoice());
        assertTrue(c.basis(1).contains("180 blocks"), c.basis(1));

        // With 48 events a day, 3 hours allow 6: counted on the footage, not extrapolated.
        ThresholdCalibration.Choice counted = ThresholdCalibration.choose(footage, FPS, 48, DEFAULTS);
        assertEquals(ThresholdCalibration.Tail.NONE, counted.tail());
        assertEquals(6, counted.allowed());
        assertTrue(counted.open() < highest);
    }

    @Test
    void tooFewBlocksShowNoTail() {
        // The last 20 minutes of an hour (bumps up to 3.44) are 20 blocks: fewer than MIN_BLOCKS, so the footage's
        // own highest score decides.
        List<float[]> twentyMinutes = List.of(Arrays.copyOfRange(gumbelBlocks(1).get(0), 24_000, 36_000));
        ThresholdCalibration.Choice c = ThresholdCalibration.choose(twentyMinutes, FPS, 1, DEFAULTS);
        assertEquals(ThresholdCalibration.Tail.NONE, c.tail());
        assertEquals(0, c.eventsAtChoice());
        float highest = 0;
        for (float v : twentyMinutes.get(0)) {
            highest = Math.max(highest, v);
        }
        assertEquals(Math.nextUp(highest), c.open());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ThresholdCalibration.choose(List.of(hour()), 0, 1, DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> ThresholdCalibration.choose(List.of(hour()), FPS, -1, DEFAULTS));
    }
}
