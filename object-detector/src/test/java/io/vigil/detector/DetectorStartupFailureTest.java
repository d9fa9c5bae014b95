package io.vigil.detector;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.vigil.testkit.InProcessKafka;
import io.vigil.testkit.SharedData;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model that does not fit the configured backend stops the service at start, naming model and shapes. */
@QuarkusMainTest
@TestProfile(DetectorStartupFailureTest.WrongModel.class)
class DetectorStartupFailureTest {

    public static class WrongModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "kafka.bootstrap.servers", InProcessKafka.shared().bootstrapServers(),
                    "vigil.detector.backend", "yolov3",
                    "vigil.detector.model", SharedData.root().resolve("models/yolox-nano-coco/yolox_nano.onnx").toString());
        }
    }

    @Test
    void startFailsWithTheModelAndTheExpectedShapes(QuarkusMainLauncher launcher) {
        SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        LaunchResult result = launcher.launch();
        assertNotEquals(0, result.exitCode());
        String out = result.getOutput() + result.getErrorOutput();
        assertTrue(out.contains("yolox_nano.onnx") && out.contains("does not fit the yolov3 detector")
                && out.contains("image_shape"), out);
    }
}
