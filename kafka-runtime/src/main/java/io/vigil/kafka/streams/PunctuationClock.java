package io.vigil.kafka.streams;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Kafka Streams dates records with the stream thread's cached clock, which can lag a wall-clock punctuation's by
 * seconds (the first batch after start-up). A wait counted from that date can end early; counted from the first
 * punctuation after it, it ends late by at most one interval. This keeps what was dated since the last punctuation,
 * so the punctuation can date it again ({@code max(now, dated)}) before it looks for what waited too long.
 */
public final class PunctuationClock {

    private final Set<String> datedSinceLastCheck = new LinkedHashSet<>();

    /** {@code key} was just dated with the stream thread's clock. */
    public void dated(String key) {
        datedSinceLastCheck.add(key);
    }

    /** The keys dated since the last call, once. */
    public Set<String> takeDated() {
        Set<String> out = Set.copyOf(datedSinceLastCheck);
        datedSinceLastCheck.clear();
        return out;
    }

    /** What a punctuation at {@code now} makes of a time dated {@code dated}: never earlier than the check. */
    public static long redate(long dated, long now) {
        return Math.max(now, dated);
    }
}
