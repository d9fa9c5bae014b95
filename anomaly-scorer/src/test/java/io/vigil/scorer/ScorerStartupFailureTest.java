package io.vigil.scorer;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.vigil.testkit.InProcessKafka;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without its model the scorer does not start, and says which file is missing. */
@QuarkusMainTest
@TestProfile(ScorerStartupFailureTest.NoModel.class)
class ScorerStartupFailureTest {

    public static class NoModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", InProcessKafka.shared().bootstrapServers(),
                    "vigil.scorer.model", "/nonexistent/models/ssmtl-ped2.onnx");
        }
    }

    @Test
    void missingModelStopsTheStart(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch();
        assertNotEquals(0, result.exitCode());
        String out = result.getOutput() + result.getErrorOutput();
        assertTrue(out.contains("/nonexistent/models/ssmtl-ped2.onnx"), out);
    }
}
