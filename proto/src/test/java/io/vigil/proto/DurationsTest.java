package io.vigil.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void theUnitsPeopleWrite() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(45), Durations.parse("45s"));
        assertEquals(Duration.ofSeconds(45), Durations.parse("45"));
        assertEquals(Duration.ofMinutes(90), Durations.parse(" 90M "));
        assertEquals(Duration.ofHours(3), Durations.parse("3h"));
        assertEquals(Duration.ofDays(2), Durations.parse("2d"));
        for (String bad : List.of("", "s", "three hours", "3w", "-5s", "-5ms", "1.5h")) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
    }
}
