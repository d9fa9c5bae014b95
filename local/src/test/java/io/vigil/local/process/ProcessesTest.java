package io.vigil.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessesTest {

    @AfterEach
    void clear() {
        System.clearProperty(Processes.JVM_OPTIONS);
    }

    @Test
    void childJvmsGetThisJavaAndTheExtraOptionsInOrder() {
        List<String> plain = Processes.java();
        assertTrue(plain.get(0).startsWith(System.getProperty("java.home")), plain.toString());
        assertEquals(List.of("-Xmx1g"), plain.subList(1, plain.size()));

        System.setProperty(Processes.JVM_OPTIONS, "  -XX:+UseSerialGC   -XX:StartFlightRecording=filename=/tmp/r/ ");
        List<String> extra = Processes.java();
        assertEquals(List.of("-Xmx1g", "-XX:+UseSerialGC", "-XX:StartFlightRecording=filename=/tmp/r/"),
                extra.subList(1, extra.size()));
    }
}
