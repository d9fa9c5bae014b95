package io.vigil.ingest.source;

import java.time.Duration;

/** Exponential backoff between reconnect attempts: initial, doubled each failure, capped, reset on success. */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private Duration current;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
        this.current = initial;
    }

    /** The delay before the next attempt; each call doubles the following one up to the cap. */
    public Duration next() {
        Duration delay = current;
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    public void reset() {
        current = initial;
    }
}
