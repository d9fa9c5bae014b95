package io.vigil.ingest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.vigil.testkit.InProcessKafka;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One-shot mode reports a source it could not read through its exit code, after finishing the others. */
@QuarkusMainTest
@TestProfile(IngestOnceModeFailureTest.BrokenProfile.class)
class IngestOnceModeFailureTest {

    public static class BrokenProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The shared broker outlives the launched application, so the test can read what it published.
            return Map.of(
                    "kafka.bootstrap.servers", InProcessKafka.shared().bootstrapServers(),
                    "vigil.ingest.mode", "once",
                    "vigil.ingest.cameras.gone.uri", "/nonexistent/vigil/folder",
                    "vigil.ingest.cameras.fine.uri", "synthetic:?frames=20",
                    "vigil.ingest.cameras.fine.fps-cap", "0");
        }
    }

    @Test
    void exitsWithOneWhenACameraFailed(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch();
        assertEquals(1, result.exitCode());
        String out = result.getOutput() + result.getErrorOutput();
        assertTrue(out.contains("camera fine: FINISHED, 20 frames published"), out);
        assertTrue(out.contains("camera gone: FAILED") && out.contains("/nonexistent/vigil/folder"), out);
    }
}
