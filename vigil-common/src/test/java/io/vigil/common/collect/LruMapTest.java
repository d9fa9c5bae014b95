package io.vigil.common.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LruMapTest {

    @Test
    void keepsTheMostRecentlyUsedEntriesUpToItsSize() {
        LruMap<String, Integer> m = new LruMap<>(2);
        m.put("a", 1);
        m.put("b", 2);
        m.get("a"); // a is now the most recently used
        m.put("c", 3);
        assertEquals(List.of("a", "c"), List.copyOf(m.keySet()), "b was the least recently used");
        m.put("d", 4);
        assertEquals(List.of("c", "d"), List.copyOf(m.keySet()));
        assertThrows(IllegalArgumentException.class, () -> new LruMap<String, Integer>(0));
    }
}
