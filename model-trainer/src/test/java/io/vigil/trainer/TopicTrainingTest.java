package io.vigil.trainer;

import static io.vigil.trainer.TrainMainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.testkit.InProcessKafka;
import io.vigil.testkit.SharedData;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera learns its normal from the stream: its frames on a real broker's vigil.frames, the trainer's command line
 * reading them back by camera and time, training, and registering the model for that camera.
 */
class TopicTrainingTest {

    @TempDir
    Path temp;

    @Test
    void trainsACameraFromItsFramesOnTheTopicAndRegistersTheModel() throws Exception {
        Path detector = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(Topics.DEFAULTS);
            long start = System.currentTimeMillis() - 60_000;
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                // Two stretches of the walkway (Ped2 training videos 01 and 02), frame-ingest restarted in between.
                int n = 0;
                for (String video : new String[] {"01", "02"}) {
                    Path dir = SharedData.ped2TrainingVideo(video);
                    for (int i = 0; i < 40; i++, n++) {
                        byte[] jpeg = Files.readAllBytes(dir.resolve(String.format("%03d.jpg", i)));
                        producer.send(new ProducerRecord<>(Topics.FRAMES, "walkway", Frame.newBuilder().setCameraId("walkway")
                                .setFrameIndex(i).setCaptureTimeMs(start + n * 100L).setWidth(360).setHeight(240)
                                .setJpeg(ByteString.copyFrom(jpeg)).build().toByteArray()));
                        producer.send(new ProducerRecord<>(Topics.FRAMES, "elsewhere", Frame.newBuilder()
                                .setCameraId("elsewhere").setFrameIndex(n).setCaptureTimeMs(start + n * 100L).setWidth(360)
                                .setHeight(240).setJpeg(ByteString.copyFrom(jpeg)).build().toByteArray()));
                    }
                }
            }
            Path registry = temp.resolve("registry");
            String printed = run(0, "--from-topic", kafka.bootstrapServers(), "--camera", "walkway", "--since", "1h",
                    "--clip-frames", "40", "--holdout-fraction", "0.5", "--detector", "yolox", "--detector-model",
                    detector.toString(), "--epochs", "1", "--batch", "8", "--object-fraction", "0.3", "--threads", "2",
                    "--out", temp.resolve("out").toString(), "--register", registry.toString());
            assertTrue(printed.contains("registered: walkway/v1@"), printed);

            ModelRegistry.Entry entry = new ModelRegistry(registry).current("walkway").orElseThrow();
            ModelDescriptor d = entry.descriptor();
            assertEquals("topic:vigil.frames", d.getTraining().getSource());
            assertEquals("walkway", d.getTraining().getCameraId());
            assertEquals(80, d.getTraining().getFrames(), "both stretches, none of the other camera's frames");
            assertEquals(start, d.getTraining().getFromTimeMs());
            assertEquals(start + 79 * 100L, d.getTraining().getToTimeMs());
            assertTrue(d.getTraining().getObjects() > 0, d.toString());
            assertTrue(Double.isFinite(d.getMetricsOrThrow("heldout_loss_total")), "chosen on the held-out stretch");
            assertTrue(d.getThresholds().getOpen() >= Float.parseFloat(EventDetector.Settings.OPEN_THRESHOLD),
                    "the camera's event thresholds, never below the default: " + d.getThresholds());
            assertTrue(d.getThresholds().getBasis().contains("of held-out normal footage"), d.getThresholds().getBasis());
            try (OnnxModel onnx = OnnxSessionFactory.open(entry.model(), OnnxSessionFactory.Options.cpu(1))) {
                new SsmtlScorer(onnx, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.SURPRISE);
                assertTrue(onnx.customMetadata().get("vigil.training_data").contains("camera walkway"),
                        onnx.customMetadata().get("vigil.training_data"));
            }

            String listed = run(0, "registry", "--registry", registry.toString(), "list");
            assertTrue(listed.contains("* walkway/v1@") && listed.contains("trained on topic:vigil.frames walkway"), listed);
            assertTrue(run(1, "registry", "--registry", registry.toString(), "rollback", "--scope", "walkway")
                    .contains("no earlier version"));
            run(0, "registry", "--registry", registry.toString(), "register", "--scope", "walkway", "--model",
                    entry.model().toString(), "--note", "same again");
            assertEquals(2, new ModelRegistry(registry).current("walkway").orElseThrow().version());
            assertTrue(run(0, "registry", "--registry", registry.toString(), "rollback", "--scope", "walkway")
                    .contains("current: walkway/v1@"));
            // A model shipped with its descriptor, registered only where a scope has none (a first run's default).
            Path shipped = Files.writeString(temp.resolve("shipped.txtpb"),
                    "note: \"shipped\"\nthresholds { open: 2.5 close: 1.5 basis: \"its own normal footage\" }\n");
            assertTrue(run(0, "registry", "--registry", registry.toString(), "register", "--scope", "walkway", "--model",
                    entry.model().toString(), "--descriptor", shipped.toString(), "--if-absent").contains("kept: walkway/v1@"));
            run(0, "registry", "--registry", registry.toString(), "register", "--scope", "street", "--model",
                    entry.model().toString(), "--descriptor", shipped.toString(), "--if-absent");
            ModelDescriptor street = new ModelRegistry(registry).current("street").orElseThrow().descriptor();
            assertEquals(2.5f, street.getThresholds().getOpen());
            assertEquals("shipped", street.getNote());
            Path notAModel = Files.writeString(temp.resolve("x.onnx"), "not a model");
            run(1, "registry", "--registry", registry.toString(), "register", "--scope", "walkway", "--model",
                    notAModel.toString());
            assertEquals(2, new ModelRegistry(registry).versions("walkway").size(), "a file the scorer cannot serve is refused");

            run(0, "registry", "--registry", registry.toString(), "zone", "--camera", "walkway", "--name", "lawn",
                    "--polygon", "0,0.6,1,0.6,1,1,0,1", "--mode", "not-alerted");
            assertEquals(List.of(0f, 0.6f, 1f, 0.6f, 1f, 1f, 0f, 1f), new ModelRegistry(registry).cameraSettings().get("walkway")
                    .getIgnoreZones(0).getXyList());
            assertTrue(run(1, "registry", "--registry", registry.toString(), "zone", "--camera", "walkway", "--name", "x",
                    "--polygon", "0,0,2,2").contains("needs 3..64 points"));
            run(0, "registry", "--registry", registry.toString(), "zone", "--camera", "walkway", "--name", "lawn", "--remove");
            assertEquals(0, new ModelRegistry(registry).cameraSettings().get("walkway").getIgnoreZonesCount());
        }
    }
}
