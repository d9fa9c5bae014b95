package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.registry.ModelRegistry;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.proto.v1.ObjectScore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-camera loop on the packaged services and a real broker ({@code vigil-local --learn}): two cameras show a
 * synthetic street; the first one's normal footage on vigil.frames trains its own model, which is registered and picked
 * up by the running scorer for that camera only, while the second keeps the default model; every score names its model.
 */
class CameraLearnsItsNormalIT {

    @TempDir
    Path data;

    @Test
    void aCameraTrainedFromItsFramesIsScoredByItsOwnModelAndTheOtherKeepsTheDefault() throws Exception {
        Path home = Path.of("..").toAbsolutePath().normalize();
        assertTrue(Files.exists(home.resolve("model-trainer/target/model-trainer.jar")), "model-trainer is not packaged");
        int kafkaPort = LocalKafkaBroker.freePort();
        LocalOptions o = new LocalOptions(
                new LocalOptions.Cameras("synthetic:?walkers=4&seed=7&anomalies=fast,unusual", "street", 2, 0, false),
                new LocalOptions.Detection("motion", Optional.empty()), new LocalOptions.Learning(Duration.ofSeconds(40), 1),
                new LocalOptions.Run(false, Duration.ofSeconds(40), home), LocalOptions.Site.of(data, true, kafkaPort));
        int exit = VigilLocal.run(o);
        PipelineEndToEndIT.keepLogs(data.resolve("logs"), Path.of("target/camera-learns-logs"));
        assertEquals(0, exit, "vigil-local --learn; logs in target/camera-learns-logs");

        ModelRegistry registry = new ModelRegistry(data.resolve("registry"));
        ModelRegistry.Entry learnt = registry.current("street-1").orElseThrow();
        ModelDescriptor d = learnt.descriptor();
        assertEquals("street-1", d.getTraining().getCameraId());
        assertTrue(d.getTraining().getFrames() >= 200, "about 40 s at 10 frames/s: " + d.getTraining());
        assertTrue(d.hasThresholds(), "calibrated thresholds");
        assertEquals(List.of("street-1"), registry.scopes(), "only the first camera learnt");

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            List<ObjectScore> scores = TopicSnapshot.readAll(broker.bootstrapServers(), Topics.OBJECT_SCORES,
                    Duration.ofMinutes(2)).stream().map(VigilSerdes.OBJECT_SCORE::parse).toList();
            String defaultModel = "ssmtl-ped2-shallow-narrow.onnx@";
            List<String> first = scores.stream().filter(s -> s.getCameraId().equals("street-1")).map(ObjectScore::getModelVersion)
                    .toList();
            List<String> second = scores.stream().filter(s -> s.getCameraId().equals("street-2")).map(ObjectScore::getModelVersion)
                    .toList();
            assertFalse(first.isEmpty() || second.isEmpty(), "both cameras scored");
            assertTrue(first.get(0).startsWith(defaultModel), "before its model, the default: " + first.get(0));
            assertTrue(first.stream().anyMatch(v -> v.equals(learnt.id())), "then its own " + learnt.id());
            int switched = first.indexOf(learnt.id());
            assertTrue(first.subList(switched, first.size()).stream().allMatch(learnt.id()::equals),
                    "once switched, every score by its own model");
            assertTrue(second.stream().allMatch(v -> v.startsWith(defaultModel)), "the other camera keeps the default");
        }
    }
}
