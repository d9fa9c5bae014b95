package io.vigil.alerts.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map of at most {@code max} keys that forgets the least recently used, so callers cannot fill the memory with keys. */
final class RecentKeys {

    private RecentKeys() {
    }

    static <V> Map<String, V> map(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }
}
