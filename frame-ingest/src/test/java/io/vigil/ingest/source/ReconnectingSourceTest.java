package io.vigil.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReconnectingSourceTest {

    /** A connection that yields {@code count} frames then ends, or fails after them when {@code failAtEnd}. */
    static FrameSource connection(int count, boolean failAtEnd) {
        return new FrameSource() {
            int i;

            @Override
            public Optional<SourceFrame> next() throws SourceException {
                if (i < count) {
                    return Optional.of(new SourceFrame(i++, 0, 4, 4, new byte[] {1}));
                }
                if (failAtEnd) {
                    throw new SourceException("connection reset");
                }
                return Optional.empty();
            }

            @Override
            public boolean isLive() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void reconnectsWithExponentialBackoffAndKeepsIndicesMonotonic() throws Exception {
        Deque<Object> script = new ArrayDeque<>(List.of(
                new SourceException("connection refused"),
                new SourceException("connection refused"),
                connection(3, false),
                new SourceException("connection refused"),
                connection(2, true),
                connection(4, false)));
        List<Duration> sleeps = new ArrayList<>();
        List<String> drops = new ArrayList<>();
        ReconnectingSource source = new ReconnectingSource("test stream", () -> {
            Object next = script.poll();
            if (next instanceof SourceException e) {
                throw e;
            }
            return (FrameSource) next;
        }, new Backoff(Duration.ofMillis(100), Duration.ofMillis(300)), (reason, retry) -> drops.add(reason), sleeps::add);

        List<Long> indices = new ArrayList<>();
        for (int k = 0; k < 9; k++) {
            indices.add(source.next().orElseThrow().index());
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), indices);
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), // two refusals: doubling
                Duration.ofMillis(100), Duration.ofMillis(200), // success reset it; end + refusal
                Duration.ofMillis(100)), sleeps); // success reset it; reset
        assertEquals(5, drops.size());
        assertTrue(drops.contains("connection reset"));
        assertTrue(drops.contains("stream ended"));
    }

    @Test
    void backoffIsCapped() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2));
        assertEquals(List.of(500L, 1000L, 2000L, 2000L), List.of(b.next().toMillis(), b.next().toMillis(),
                b.next().toMillis(), b.next().toMillis()));
        b.reset();
        assertEquals(500L, b.next().toMillis());
    }

    @Test
    void anInterruptEndsTheWaitBetweenReconnects() {
        ReconnectingSource source = new ReconnectingSource("down", () -> {
            throw new SourceException("connection refused");
        }, new Backoff(Duration.ofMillis(10), Duration.ofMillis(10)), (r, d) -> { }, d -> {
            throw new InterruptedException();
        });
        assertTrue(assertDoesNotBlock(source).isEmpty());
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
    }

    private static Optional<SourceFrame> assertDoesNotBlock(ReconnectingSource source) {
        try {
            return source.next();
        } catch (BadFrameException e) {
            throw new AssertionError(e);
        }
    }
}
