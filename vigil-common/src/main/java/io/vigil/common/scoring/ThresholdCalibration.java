package io.vigil.common.scoring;

import java.util.List;
import java.util.TreeSet;

/**
 * A camera's event thresholds from its own normal footage and a false-alarm budget. On held-out normal clips (their
 * smoothed frame scores, as the alert-sink computes them) every event is a false alarm; the open threshold is the
 * lowest one at which the clips raise no more events than {@code eventsPerDay} allows for their length, and never
 * below the configured default: a camera whose normal footage is noisier than the calibration assumed gets a higher
 * threshold, a quiet one keeps the default. The close threshold keeps the default's ratio to it (hysteresis).
 * <p>
 * Footage shorter than the budget's period (3 hours for 1 event a day) allows no event, and its highest score says
 * where one event in 3 hours lies, not one a day. Then the threshold is also read off the tail of the footage's
 * minute-long blocks' highest scores, fitted by a Gumbel distribution (the law of block maxima) and extrapolated to
 * the budget; the higher of the two is chosen.
 */
public final class ThresholdCalibration {

    /** Seconds of footage per block whose highest score the tail is fitted to. */
    public static final double BLOCK_SECONDS = 60;

    /** Fewer blocks than this do not show a tail: no extrapolation. */
    public static final int MIN_BLOCKS = 30;

    /** The Gumbel distribution's mean is its location plus this times its scale. */
    private static final double EULER_GAMMA = 0.5772156649015329;

    /**
     * The chosen thresholds, and what they were chosen on; {@code tail} is the open threshold the blocks' tail called
     * for ({@link Tail#NONE} when the footage allowed an event or had too few blocks).
     */
    public record Choice(float open, float close, int eventsAtDefault, int eventsAtChoice, double hours, int allowed,
            Tail tail) {
        public String basis(double eventsPerDay) {
            return String.format(java.util.Locale.ROOT, "at most %.3g events/day on %.1f min of held-out normal footage "
                    + "(%d allowed; %d at the default threshold, %d at this one)%s", eventsPerDay, hours * 60, allowed,
                    eventsAtDefault, eventsAtChoice, tail.blocks() == 0 ? "" : String.format(java.util.Locale.ROOT,
                            "; the tail of %d blocks' highest scores, extrapolated to the budget, calls for %.3f",
                            tail.blocks(), tail.open()));
        }
    }

    /** The open threshold a Gumbel fit of {@code blocks} block maxima extrapolates to the budget. */
    public record Tail(int blocks, float open) {
        public static final Tail NONE = new Tail(0, Float.NaN);
    }

    private ThresholdCalibration() {
    }

    /**
     * @param series smoothed frame scores of each held-out clip
     * @param fps the footage's frame rate
     * @param defaults the alert-sink's event settings; their thresholds are the floor and the hysteresis ratio
     */
    public static Choice choose(List<float[]> series, double fps, double eventsPerDay, EventDetector.Settings defaults) {
        if (!(fps > 0) || !(eventsPerDay >= 0)) {
            throw new IllegalArgumentException("fps must be > 0 and events per day >= 0, got " + fps + " and " + eventsPerDay);
        }
        long frames = series.stream().mapToLong(s -> s.length).sum();
        double hours = frames / fps / 3600;
        int allowed = (int) Math.floor(eventsPerDay * hours / 24 + 1e-9);
        float ratio = defaults.openThreshold() > 0 ? defaults.closeThreshold() / defaults.openThreshold() : 1f;
        int atDefault = events(series, defaults.openThreshold(), defaults);
        Tail tail = allowed == 0 && eventsPerDay > 0 ? tail(series, fps, eventsPerDay) : Tail.NONE;
        // Never below the default, nor below what the tail calls for.
        float floor = tail.blocks() > 0 ? Math.max(defaults.openThreshold(), tail.open()) : defaults.openThreshold();
        if (atDefault <= allowed) {
            return floor == defaults.openThreshold()
                    ? new Choice(floor, defaults.closeThreshold(), atDefault, atDefault, hours, allowed, tail)
                    : new Choice(floor, floor * ratio, atDefault, events(series, floor, defaults), hours, allowed, tail);
        }
        // Candidates: just above each score seen above the floor; fewer events as the threshold rises.
        TreeSet<Float> candidates = new TreeSet<>();
        for (float[] s : series) {
            for (float v : s) {
                if (v >= floor) {
                    candidates.add(Math.nextUp(v));
                }
            }
        }
        float chosen = candidates.isEmpty() ? floor : candidates.last();
        int atChosen = events(series, chosen, defaults);
        for (Float c : candidates.descendingSet()) {
            int n = events(series, c, defaults);
            if (n > allowed) {
                break;
            }
            chosen = c;
            atChosen = n;
        }
        if (chosen > floor && floor > defaults.openThreshold()) {
            int atFloor = events(series, floor, defaults);
            if (atFloor <= allowed) {
                chosen = floor;
                atChosen = atFloor;
            }
        }
        return new Choice(chosen, chosen * ratio, atDefault, atChosen, hours, allowed, tail);
    }

    /**
     * The open threshold at which a block exceeds the blocks' Gumbel fit (method of moments) with the probability the
     * budget gives a block, or {@link Tail#NONE} with fewer than {@link #MIN_BLOCKS} whole blocks.
     */
    static Tail tail(List<float[]> series, double fps, double eventsPerDay) {
        int length = (int) Math.round(BLOCK_SECONDS * fps);
        List<Float> maxima = new java.util.ArrayList<>();
        for (float[] s : series) {
            for (int from = 0; length > 0 && from + length <= s.length; from += length) {
                float max = Float.NEGATIVE_INFINITY;
                for (int i = from; i < from + length; i++) {
                    max = Math.max(max, s[i]);
                }
                maxima.add(max);
            }
        }
        if (maxima.size() < MIN_BLOCKS) {
            return Tail.NONE;
        }
        double mean = maxima.stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        double var = maxima.stream().mapToDouble(m -> (m - mean) * (m - mean)).sum() / (maxima.size() - 1);
        double scale = Math.sqrt(6 * var) / Math.PI;
        double location = mean - EULER_GAMMA * scale;
        double perBlock = BLOCK_SECONDS / 86_400 * eventsPerDay;
        return new Tail(maxima.size(), (float) (location - scale * Math.log(-Math.log1p(-perBlock))));
    }

    /** Events the alert-sink's rules would announce on the clips with this open threshold (close at the ratio). */
    static int events(List<float[]> series, float open, EventDetector.Settings d) {
        float close = d.openThreshold() > 0 ? open * d.closeThreshold() / d.openThreshold() : open;
        EventDetector.Settings s = d.withThresholds(open, close);
        return (int) series.stream().flatMap(clip -> EventDetector.replay("calibration", clip, s).stream())
                .filter(e -> e.state() == EventDetector.State.OPEN).count();
    }
}
