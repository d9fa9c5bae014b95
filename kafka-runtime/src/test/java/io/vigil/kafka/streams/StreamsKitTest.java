package io.vigil.kafka.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plain parts of the Kafka Streams kit; the stores and the dead-letter step run in the services' topology tests. */
class StreamsKitTest {

    @Test
    void cameraKeysSortAsFramesAndKeepACameraInOneRange() {
        List<String> keys = new ArrayList<>(List.of(CameraKeys.of("cam-1", 10), CameraKeys.of("cam-1", 9),
                CameraKeys.of("cam-10", 0), CameraKeys.of("cam-1", 100)));
        keys.sort(String::compareTo);
        // '0' sorts before '|': cam-10 comes first, and outside cam-1's range
        assertEquals(List.of(CameraKeys.of("cam-10", 0), CameraKeys.of("cam-1", 9), CameraKeys.of("cam-1", 10),
                CameraKeys.of("cam-1", 100)), keys);
        for (String k : keys) {
            boolean inRange = k.compareTo(CameraKeys.first("cam-1")) >= 0 && k.compareTo(CameraKeys.last("cam-1")) <= 0;
            assertEquals(k.startsWith("cam-1|"), inRange, k);
        }
        assertEquals(100, CameraKeys.indexOf(CameraKeys.of("a|b", 100)), "a camera id may hold the separator");
    }

    @Test
    void aPunctuationTakesWhatWasDatedOnceAndNeverDatesEarlier() {
        PunctuationClock clock = new PunctuationClock();
        clock.dated("a");
        clock.dated("b");
        clock.dated("a");
        assertEquals(Set.of("a", "b"), clock.takeDated());
        assertEquals(Set.of(), clock.takeDated());
        assertEquals(5_000, PunctuationClock.redate(1_000, 5_000), "a lagging stream clock is moved to the check");
        assertEquals(7_000, PunctuationClock.redate(7_000, 5_000));
    }
}
