package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What vigil-local's options turn into: the settings each service process is started with. */
class VigilLocalOptionsTest {

    private static Map<String, String> ingest(VigilLocal.Options o) {
        return VigilLocal.services(o, "localhost:9092").stream().filter(s -> s.name().equals("frame-ingest")).findFirst()
                .orElseThrow().properties();
    }

    @Test
    void fpsCapsEveryVirtualCamera() {
        VigilLocal.Options o = VigilLocal.parse(new String[] {"--source", "/videos/02", "--cameras", "2", "--fps", "10"});
        Map<String, String> ingest = ingest(o);
        assertEquals("/videos/02", ingest.get("vigil.ingest.cameras.cam-02-1.uri"));
        assertEquals("10.0", ingest.get("vigil.ingest.cameras.cam-02-1.fps-cap"));
        assertEquals("10.0", ingest.get("vigil.ingest.cameras.cam-02-2.fps-cap"));
    }

    @Test
    void withoutFpsOrLoopTheSourceKeepsItsOwnPaceAndPlaysOnce() {
        Map<String, String> ingest = ingest(VigilLocal.parse(new String[] {"/videos/02"}));
        assertFalse(ingest.keySet().stream().anyMatch(k -> k.endsWith(".fps-cap") || k.endsWith(".loop")), ingest.toString());
        assertEquals("true", ingest(VigilLocal.parse(new String[] {"/videos/02", "--loop"})).get("vigil.ingest.cameras.cam-02.loop"));
    }

    @Test
    void badOptionsAreNamed() {
        assertEquals("unknown option --speed",
                assertThrows(IllegalArgumentException.class, () -> VigilLocal.parse(new String[] {"--speed", "2"})).getMessage());
        assertEquals("--fps must be a number >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> VigilLocal.parse(new String[] {"--fps", "-1"})).getMessage());
        assertEquals("--fps needs a value",
                assertThrows(IllegalArgumentException.class, () -> VigilLocal.parse(new String[] {"--fps"})).getMessage());
    }
}
