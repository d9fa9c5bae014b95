package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.scoring.EventDetector.Event;
import io.vigil.common.scoring.EventDetector.State;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringTest {

    @Test
    void frameScoreIsTheMaximumOfThePaintedMap() {
        FrameScorer plain = new FrameScorer(0, FrameScorer.Aggregation.MAXIMUM);
        assertEquals(0f, plain.score(100, 50, List.of()));
        assertEquals(0.9f, plain.score(100, 50, List.of(new ScoredBox(10, 10, 20, 20, 0.4f), new ScoredBox(15, 15, 30, 30, 0.9f))));
        assertEquals(0.4f, plain.score(100, 50, List.of(new ScoredBox(10, 10, 20, 20, 0.4f),
                new ScoredBox(200, 10, 230, 20, 0.9f))), "a box outside the frame paints nothing");
        assertEquals(0.4f, plain.score(100, 50, List.of(new ScoredBox(10, 10, 20, 20, 0.4f),
                new ScoredBox(15, 15, 30, 30, Float.NaN))), "an object no enabled task could score paints nothing");
        assertEquals(0.4f, new FrameScorer(3, FrameScorer.Aggregation.MAXIMUM).score(100, 50, List.of(new ScoredBox(10, 10, 20, 20, 0.4f),
                new ScoredBox(15, 15, 30, 30, Float.NaN))), 1e-6);
    }

    @Test
    void aCrowdsMaximumIsScoredByHowRareItIsAmongAsManyNormalObjects() {
        FrameScorer adjusted = new FrameScorer(0, FrameScorer.Aggregation.CROWD_ADJUSTED);
        List<ScoredBox> one = List.of(new ScoredBox(10, 10, 20, 20, 3f));
        assertEquals(3f, adjusted.score(100, 50, one), 1e-6, "one object: its own surprise");
        List<ScoredBox> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(new ScoredBox(5 * i, 10, 5 * i + 4, 20, i == 0 ? 3f : 0.5f));
        }
        // One in 1000 normal objects reaches 3; the highest of ten reaches it about one time in 100.
        double expected = -Math.log10(1 - Math.pow(1 - 1e-3, 10));
        assertEquals(expected, adjusted.score(100, 50, ten), 1e-5);
        assertEquals(0f, adjusted.score(100, 50, List.of()), "no object");
        assertEquals(0f, adjusted.score(100, 50, List.of(new ScoredBox(1, 1, 5, 5, 0f), new ScoredBox(6, 1, 9, 5, 0f))));
        List<ScoredBox> withUnscored = new ArrayList<>(one);
        withUnscored.add(new ScoredBox(30, 10, 40, 20, Float.NaN));
        withUnscored.add(new ScoredBox(300, 10, 340, 20, 1f));
        assertEquals(3f, adjusted.score(100, 50, withUnscored), 1e-6, "unscored and off-frame objects do not count");
        for (float s = 0.25f; s < 8; s += 0.25f) {
            float two = FrameScorer.rarestAmong(s, 2);
            assertTrue(two < s && two > s - (float) Math.log10(2) - 1e-4f, "between s - log10(2) and s at " + s + ": " + two);
        }
    }

    @Test
    void meanFilterLowersSmallIsolatedBoxes() {
        FrameScorer filtered = new FrameScorer(5, FrameScorer.Aggregation.MAXIMUM);
        // A 5x5 box fills a whole filter window: its score stays; a 1x5 box is averaged down to a fifth.
        assertEquals(0.8f, filtered.score(40, 40, List.of(new ScoredBox(10, 10, 15, 15, 0.8f))), 1e-6);
        assertEquals(0.8f / 5, filtered.score(40, 40, List.of(new ScoredBox(10, 10, 11, 15, 0.8f))), 1e-6);
    }

    @Test
    void gaussianSmoothingStreamsWithBoundedLatencyAndMatchesOffline() {
        float[] scores = new float[30];
        scores[10] = 1f;
        TemporalSmoother s = new TemporalSmoother(1.0, 10);
        assertEquals(3, s.lookahead(), "ceil(3 sigma)");
        List<TemporalSmoother.Smoothed> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            List<TemporalSmoother.Smoothed> now = s.push(i, scores[i]);
            for (TemporalSmoother.Smoothed v : now) {
                assertEquals(i - 3, v.frameIndex(), "each frame is final exactly 3 frames later");
            }
            out.addAll(now);
        }
        out.addAll(s.flush());
        assertEquals(30, out.size());
        double norm = 1 + 2 * (Math.exp(-0.5) + Math.exp(-2) + Math.exp(-4.5));
        assertEquals(1 / norm, out.get(10).smoothed(), 1e-6);
        assertEquals(Math.exp(-0.5) / norm, out.get(11).smoothed(), 1e-6);
        assertEquals(0f, out.get(14).smoothed(), 1e-9, "beyond 3 sigma the kernel is cut");
        float[] offline = TemporalSmoother.smoothAll(scores, 1.0, 10);
        for (int i = 0; i < 30; i++) {
            assertEquals(offline[i], out.get(i).smoothed());
        }
        // Renormalised at the start: a constant series stays constant.
        float[] constant = TemporalSmoother.smoothAll(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 2.0, 4);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, constant, 1e-6f);
    }

    @Test
    void longStreamsKeepOnlyTheWindowAndStayExact() {
        java.util.Random r = new java.util.Random(9);
        float[] scores = new float[5000];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = r.nextFloat();
        }
        float[] streamed = TemporalSmoother.smoothAll(scores, 2.0, 6);
        for (int n : new int[] {0, 3, 2000, 4998, 4999}) {
            double sum = 0;
            double weight = 0;
            for (int k = -6; k <= 6; k++) {
                int j = n + k;
                if (j >= 0 && j < scores.length) {
                    double w = Math.exp(-(k * k) / 8.0);
                    sum += w * scores[j];
                    weight += w;
                }
            }
            assertEquals(sum / weight, streamed[n], 1e-5, "frame " + n);
        }
    }

    @Test
    void missingFramesCountAsZero() {
        TemporalSmoother s = new TemporalSmoother(0, 0);
        List<TemporalSmoother.Smoothed> out = new ArrayList<>(s.push(0, 0.5f));
        out.addAll(s.push(3, 0.7f));
        assertEquals(List.of(0L, 1L, 2L, 3L), out.stream().map(TemporalSmoother.Smoothed::frameIndex).toList());
        assertEquals(0f, out.get(1).smoothed());
        assertEquals(0.7f, out.get(3).smoothed());
    }

    private static List<Event> run(EventDetector d, float[] series) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < series.length; i++) {
            out.addAll(d.push(i, 1000L + 100L * i, series[i]));
        }
        out.addAll(d.flush());
        return out;
    }

    @Test
    void hysteresisMinimumDurationMergeGapAndCooldownGiveExactEvents() {
        EventDetector.Settings settings = new EventDetector.Settings(0.6f, 0.4f, 3, 2, 4);
        float[] series = {
            0.1f, 0.7f, 0.5f, 0.2f, 0.1f, 0.1f, // 0-5: two frames >= 0.4 then 3 below: too short, nothing
            0.7f, 0.65f, 0.5f, 0.8f,             // 6-9: opens at 8 (3 frames >= 0.4), new peak at 9
            0.3f, 0.2f, 0.9f, 0.5f,              // 10-11: dip of 2 frames (merge gap 2): same event; peak at 12
            0.3f, 0.2f, 0.1f,                    // 14-16: 3 frames below: closes at 16, last frame above = 13
            0.9f, 0.9f, 0.9f, 0.9f,              // 17-20: cooldown until 13+1+4 = 18: new event from 18
            0.1f, 0.1f, 0.1f};                   // 21-23: the second event closes
        List<Event> events = run(new EventDetector("cam", settings), series);
        List<String> summary = events.stream().map(e -> e.state() + " " + e.id() + " " + e.startFrame() + "-" + e.endFrame()
                + " peak " + e.peakFrame() + "@" + e.peakScore()).toList();
        assertEquals(List.of(
                "OPEN cam:6 6-8 peak 6@0.7",
                "UPDATE cam:6 6-9 peak 9@0.8",
                "UPDATE cam:6 6-12 peak 12@0.9",
                "CLOSED cam:6 6-13 peak 12@0.9",
                "OPEN cam:18 18-20 peak 18@0.9",
                "CLOSED cam:18 18-20 peak 18@0.9"), summary);
        Event closed = events.get(3);
        assertEquals(1600L, closed.startTimeMs());
        assertEquals(2300L, closed.endTimeMs());
        assertEquals(2200L, closed.peakTimeMs());
    }

    @Test
    void updatesOfARisingScoreAreRateLimitedAndCloseCarriesTheFinalPeak() {
        float[] series = new float[20];
        for (int i = 0; i < 16; i++) {
            series[i] = 0.5f + 0.02f * i; // opens at 0, a new peak every frame until 15
        }
        EventDetector.Settings everyPeak = new EventDetector.Settings(0.5f, 0.4f, 2, 0, 0);
        EventDetector.Settings gap5 = new EventDetector.Settings(0.5f, 0.4f, 2, 0, 0, 5);
        assertEquals(14, run(new EventDetector("c", everyPeak), series).stream().filter(e -> e.state() == State.UPDATE).count(),
                "OPEN at frame 1, then an UPDATE for each of frames 2..15");
        List<Event> limited = run(new EventDetector("c", gap5), series);
        assertEquals(List.of("OPEN 1", "UPDATE 6", "UPDATE 11", "CLOSED 15"),
                limited.stream().map(e -> e.state() + " " + (e.state() == State.CLOSED ? e.peakFrame() : e.endFrame())).toList());
    }

    @Test
    void aReplayGivesTheSameEventIds() {
        EventDetector.Settings settings = new EventDetector.Settings(0.5f, 0.5f, 1, 0, 0);
        float[] series = {0, 0.9f, 0.9f, 0, 0, 0.8f, 0};
        List<String> first = run(new EventDetector("c", settings), series).stream().map(Event::id).distinct().toList();
        List<String> again = run(new EventDetector("c", settings), series).stream().map(Event::id).distinct().toList();
        assertEquals(List.of("c:1", "c:5"), first);
        assertEquals(first, again);
        assertTrue(run(new EventDetector("c", settings), new float[] {0.1f, 0.2f}).isEmpty());
    }

    @Test
    void anOfflineReplayAtOtherThresholdsKeepsTheOtherRules() {
        EventDetector.Settings rules = new EventDetector.Settings(0.6f, 0.4f, 3, 2, 4, 7);
        EventDetector.Settings lower = rules.withThresholds(0.45f, 0.3f);
        assertEquals(new EventDetector.Settings(0.45f, 0.3f, 3, 2, 4, 7), lower);
        float[] series = {0.1f, 0.5f, 0.5f, 0.5f, 0.5f, 0.1f, 0.1f, 0.1f};
        assertTrue(EventDetector.replay("c", series, rules).isEmpty(), "0.5 never reaches 0.6");
        List<Event> replayed = EventDetector.replay("c", series, lower);
        assertEquals(run(new EventDetector("c", lower), series).stream().map(Event::state).toList(),
                replayed.stream().map(Event::state).toList());
        assertEquals(List.of("OPEN 1-3", "CLOSED 1-4"),
                replayed.stream().map(e -> e.state() + " " + e.startFrame() + "-" + e.endFrame()).toList());
    }
}
