package io.vigil.ingest;

/** Holds a loop to at most {@code fps} iterations per second; fps 0 means as fast as possible. */
final class Pacer {

    private final long intervalNanos;
    private long next = -1;

    Pacer(double fps) {
        if (fps < 0) {
            throw new IllegalArgumentException("fps cap must be >= 0, got " + fps);
        }
        this.intervalNanos = fps == 0 ? 0 : (long) (1e9 / fps);
    }

    void await() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long now = System.nanoTime();
        if (next < 0 || now - next > 10 * intervalNanos) {
            next = now; // first frame, or far behind (e.g. after a stall): restart the schedule, no burst
        }
        long wait = next - now;
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        next += intervalNanos;
    }
}
