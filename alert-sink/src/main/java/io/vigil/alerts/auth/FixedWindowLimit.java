package io.vigil.alerts.auth;

import io.vigil.common.collect.LruMap;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * At most {@code permits} per key in each window of {@code window}, for a bounded number of keys (the least recently
 * seen are forgotten), so a client cannot make the service do unbounded work, nor fill its memory with keys.
 */
public final class FixedWindowLimit {

    private static final int MAX_KEYS = 10_000;

    private final int permits;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final Map<String, long[]> windows = new LruMap<>(MAX_KEYS); // key -> start, used

    public FixedWindowLimit(int permits, Duration window, LongSupplier nanoClock) {
        this.permits = permits;
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Takes a permit; empty when there was one, else how long until the key's next window. */
    public synchronized Duration tryAcquire(String key) {
        long now = nanoClock.getAsLong();
        long[] w = windows.computeIfAbsent(key, k -> new long[] {now, 0});
        if (now - w[0] >= windowNanos) {
            w[0] = now;
            w[1] = 0;
        }
        if (w[1] < permits) {
            w[1]++;
            return Duration.ZERO;
        }
        return Duration.ofNanos(windowNanos - (now - w[0]));
    }
}
