package io.vigil.common.collect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map of at most {@code max} entries that forgets the least recently used: a cache of derived values, or keys that
 * callers choose, which must not fill the memory. Not thread-safe: callers that share one synchronise.
 */
public final class LruMap<K, V> extends LinkedHashMap<K, V> {

    private final int max;

    public LruMap(int max) {
        super(16, 0.75f, true);
        if (max < 1) {
            throw new IllegalArgumentException("an LRU map holds at least 1 entry, got " + max);
        }
        this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
    }
}
