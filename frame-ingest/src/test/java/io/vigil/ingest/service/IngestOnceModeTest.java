package io.vigil.ingest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import io.vigil.testkit.InProcessKafka;
import io.vigil.testkit.SharedData;
import io.vigil.testkit.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One-shot mode (used by evaluation): publish a folder once, wait for the broker's acks, exit 0. */
@QuarkusMainTest
@TestProfile(IngestOnceModeTest.OnceProfile.class)
class IngestOnceModeTest {

    public static class OnceProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The shared broker outlives the launched application, so the test can read what it published.
            return Map.of(
                    "kafka.bootstrap.servers", InProcessKafka.shared().bootstrapServers(),
                    "vigil.ingest.mode", "once",
                    "vigil.ingest.cameras.ped2-03.uri", SharedData.root().resolve("datasets/ucsd-ped2/testing/03").toString());
        }
    }

    @Test
    void publishesTheFolderOnceAndExitsCleanly(QuarkusMainLauncher launcher) {
        SharedData.ped2TestVideo("03");
        LaunchResult result = launcher.launch();
        assertEquals(0, result.exitCode(), result.getOutput() + result.getErrorOutput());
        assertTrue(result.getOutput().contains("camera ped2-03: FINISHED, 150 frames published"), result.getOutput());

        // Everything was acknowledged before exit: all 150 frames are there, each once.
        List<Frame> frames = TopicReader.readKey(InProcessKafka.shared().bootstrapServers(), Topics.FRAMES, "ped2-03", 150,
                Duration.ofSeconds(30)).stream().map(VigilSerdes.FRAME::parse).toList();
        assertEquals(150, frames.size());
        assertEquals(149, frames.get(149).getFrameIndex());
        assertTrue(frames.get(149).getEndOfSource());
    }
}
