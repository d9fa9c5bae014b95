package io.vigil.ingest;

/** Events per second over a sliding window of about two seconds; thread-safe. */
final class RateMeter {

    private static final long WINDOW_NANOS = 2_000_000_000L;

    private long windowStart = -1;
    private long count;
    private double lastRate;

    synchronized void tick(long nowNanos) {
        if (windowStart < 0) {
            windowStart = nowNanos;
        }
        count++;
        long elapsed = nowNanos - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            lastRate = count * 1e9 / elapsed;
            windowStart = nowNanos;
            count = 0;
        }
    }

    synchronized double rate(long nowNanos) {
        // A source that stopped delivering has rate 0, not its last rate.
        if (windowStart >= 0 && nowNanos - windowStart > 2 * WINDOW_NANOS) {
            return 0;
        }
        return lastRate;
    }
}
