package io.vigil.common.scoring;

import java.util.List;
import java.util.TreeSet;

/**
 * A camera's event thresholds from its own normal footage and a false-alarm budget. On held-out normal clips (their
 * smoothed frame scores, as the alert-sink computes them) every event is a false alarm; the open threshold is the
 * lowest one at which the clips raise no more events than {@code eventsPerDay} allows for their length, and never
 * below the configured default: a camera whose normal footage is noisier than the calibration assumed gets a higher
 * threshold, a quiet one keeps the default. The close threshold keeps the default's ratio to it (hysteresis).
 */
public final class ThresholdCalibration {

    /** The chosen thresholds, and what they were chosen on. */
    public record Choice(float open, float close, int eventsAtDefault, int eventsAtChoice, double hours, int allowed) {
        public String basis(double eventsPerDay) {
            return String.format(java.util.Locale.ROOT, "at most %.3g events/day on %.1f min of held-out normal footage "
                    + "(%d allowed; %d at the default threshold, %d at this one)", eventsPerDay, hours * 60, allowed,
                    eventsAtDefault, eventsAtChoice);
        }
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
        if (atDefault <= allowed) {
            return new Choice(defaults.openThreshold(), defaults.closeThreshold(), atDefault, atDefault, hours, allowed);
        }
        // Candidates: just above each score seen above the default; fewer events as the threshold rises.
        TreeSet<Float> candidates = new TreeSet<>();
        for (float[] s : series) {
            for (float v : s) {
                if (v >= defaults.openThreshold()) {
                    candidates.add(Math.nextUp(v));
                }
            }
        }
        float chosen = candidates.last();
        int atChosen = events(series, chosen, defaults);
        for (Float c : candidates.descendingSet()) {
            int n = events(series, c, defaults);
            if (n > allowed) {
                break;
            }
            chosen = c;
            atChosen = n;
        }
        return new Choice(chosen, chosen * ratio, atDefault, atChosen, hours, allowed);
    }

    /** Events the alert-sink's rules would announce on the clips with this open threshold (close at the ratio). */
    static int events(List<float[]> series, float open, EventDetector.Settings d) {
        float close = d.openThreshold() > 0 ? open * d.closeThreshold() / d.openThreshold() : open;
        EventDetector.Settings s = d.withThresholds(open, close);
        return (int) series.stream().flatMap(clip -> EventDetector.replay("calibration", clip, s).stream())
                .filter(e -> e.state() == EventDetector.State.OPEN).count();
    }
}
