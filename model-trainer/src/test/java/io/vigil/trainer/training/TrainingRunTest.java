package io.vigil.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.evaluation.footage.FolderFootage;
import io.vigil.testkit.SharedData;
import io.vigil.trainer.network.Architecture;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small end-to-end training job: detection, teacher, epochs with checkpoints and held-out losses, the best epoch
 * exported and calibrated on the held-out video; then resume.
 */
class TrainingRunTest {

    @TempDir
    Path temp;

    private TrainingRun.Options options(Path data, Path out, int epochs, boolean resume) {
        DetectorSpec detector = new DetectorSpec(DetectorSpec.Backend.YOLOX, SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"),
                Device.CPU, 2, 416, 0.3f, 0.45f, 8, true, MotionDetector.Settings.defaults());
        return new TrainingRun.Options(
                new TrainingRun.Sources(new FolderFootage(data, List.of(), List.of("02")), detector,
                        DetectionFilter.of(0.3f, Map.of(), java.util.Set.of(), 4f), SequenceSettings.paper(),
                        SharedData.require("models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx")),
                new TrainingRun.Schedule(Architecture.SHALLOW_NARROW, epochs, 8, 1e-3f, 0.5f, 4, 0.15, 7),
                new TrainingRun.Job(out, resume, 2, 10, 1));
    }

    /** The first 30 frames of Ped2 training videos 01 and 02. */
    private Path smallData() throws java.io.IOException {
        Path data = temp.resolve("data");
        for (String video : new String[] {"01", "02"}) {
            Path src = SharedData.ped2TrainingVideo(video);
            Path dst = Files.createDirectories(data.resolve(video));
            for (int i = 0; i < 30; i++) {
                String name = String.format("%03d.jpg", i);
                Files.copy(src.resolve(name), dst.resolve(name));
            }
        }
        return data;
    }

    @Test
    void trainsExportsWithCalibrationAndResumesFromItsCheckpoint() throws Exception {
        Path data = smallData();
        Path out = temp.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingRun.Result result = new TrainingRun(options(data, out, 2, false), new PrintStream(log, true)).run();
        Path model = result.model();
        assertEquals(data.toString(), result.range().getSource());
        assertEquals(60, result.range().getFrames(), "30 frames of each video");
        assertTrue(result.heldOut() != null && result.heldOut().finite(), "held-out losses of the chosen epoch");
        EventDetector.Settings defaults = EventDetector.Settings.defaults();
        assertTrue(result.thresholds().getOpen() >= defaults.openThreshold()
                && result.thresholds().getClose() >= defaults.closeThreshold(), "never below the defaults: " + result.thresholds());
        assertTrue(result.thresholds().getBasis().contains("events/day"), result.thresholds().getBasis());
        assertEquals(io.vigil.proto.v1.FrameAggregation.FRAME_AGGREGATION_CROWD_ADJUSTED, result.thresholds().getAggregation(),
                "the thresholds say which frame scores they were chosen on: the alert-sink's default");
        assertEquals(Double.parseDouble(io.vigil.common.alerts.AlertTimeline.Settings.SIGMA),
                result.thresholds().getSmoothing().getSigma(), 1e-6, "and how they were smoothed");
        assertEquals(Integer.parseInt(io.vigil.common.alerts.AlertTimeline.Settings.MAX_LOOKAHEAD),
                result.thresholds().getSmoothing().getMaxLookahead());
        String text = log.toString();
        assertTrue(text.contains("epoch 2 done"), text);
        assertTrue(text.contains("teacher mobilenetv2-12-int8.onnx: 1000 logits"), text);
        assertTrue(text.contains("ETA"), "progress lines: " + text);
        assertEquals(List.of("01-", "02-"), cachedVideos(out), "detections are cached per video");
        try (OnnxModel onnx = OnnxSessionFactory.open(model, OnnxSessionFactory.Options.cpu(1))) {
            Map<String, String> meta = onnx.customMetadata();
            assertEquals("shallow-narrow", meta.get("vigil.architecture"));
            assertEquals("3", meta.get("vigil.t"));
            assertEquals(1080L, onnx.outputShapes().get(ModelContract.DISTILLATION_OUTPUT)[1], "80 detector + 1000 teacher");
            for (SsmtlScorer.Task task : SsmtlScorer.Task.values()) {
                TaskCalibration c = TaskCalibration.fromMetadata(meta, task.output);
                assertTrue(c.hasTail() && c.p99() >= c.mean(), task + ": " + c);
                assertTrue(c.surprise(Float.MAX_VALUE) <= c.maxSurprise(), "bounded: " + c);
            }
            assertEquals(SsmtlScorer.DEFAULT_CUES, meta.get("vigil.calibration.combined.tasks"),
                    "the combined scale is over the default cues");
            int epoch = Integer.parseInt(meta.get("vigil.epoch"));
            assertTrue(epoch >= 1 && epoch <= 2, "the exported epoch: " + epoch);
            assertTrue(meta.get("vigil.training_data").contains("held out [02]"), meta.get("vigil.training_data"));
            assertTrue(text.contains("calibrated on held-out clips [02]"), text);
        }
        List<String> curves = Files.readAllLines(out.resolve("training.csv"));
        assertEquals(3, curves.size(), "header and two epochs: " + curves);
        assertTrue(Files.size(out.resolve("loss-curves.png")) > 1000);

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new TrainingRun(options(data, out, 3, true), new PrintStream(again, true)).run();
        String resumed = again.toString();
        assertTrue(resumed.contains("resumed from the checkpoint of epoch 2"), resumed);
        assertTrue(resumed.contains("epoch 3 done") && !resumed.contains("epoch 1/3"), resumed);
        assertEquals(4, Files.readAllLines(out.resolve("training.csv")).size(), "the resumed run continues the curves");
        assertEquals(List.of("01-", "02-"), cachedVideos(out), "the same settings reuse the cached detections");
    }

    @Test
    void heldOutFootageWithoutObjectsCalibratesOnTheTrainingClips() throws Exception {
        // Held out: 30 grey frames, where the detector finds nothing (a street before its walkers come, say).
        Path data = smallData();
        Path grey = data.resolve("02");
        java.awt.image.BufferedImage flat = new java.awt.image.BufferedImage(360, 240, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = flat.createGraphics();
        g.setColor(java.awt.Color.GRAY);
        g.fillRect(0, 0, 360, 240);
        g.dispose();
        for (int i = 0; i < 30; i++) {
            javax.imageio.ImageIO.write(flat, "jpg", grey.resolve(String.format("%03d.jpg", i)).toFile());
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingRun.Result result = new TrainingRun(options(data, temp.resolve("out"), 1, false), new PrintStream(log, true)).run();
        String text = log.toString();
        assertTrue(Files.isRegularFile(result.model()), text);
        assertTrue(text.contains("the held-out clips [02] have no objects: calibrating on the training clips"), text);
        assertTrue(text.contains("calibrated on the training clips"), text);
        assertEquals(null, result.thresholds(), "no normal held-out series to choose event thresholds on");
    }

    @Test
    void aStopEndsTheRunBetweenTwoStepsAndLetsGoOfPyTorch() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingRun run = new TrainingRun(options(smallData(), temp.resolve("out"), 50, false), new PrintStream(log, true));
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread training = new Thread(() -> {
            try {
                run.run();
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        }, "training");
        training.start();
        while (!log.toString().contains("objects used for training")) {
            assertTrue(training.isAlive(), log.toString());
            Thread.sleep(20);
        }
        assertTrue(run.stop(Duration.ofSeconds(60)), "the run let go of PyTorch within the grace");
        Throwable e = ended.get(5, TimeUnit.SECONDS);
        assertTrue(e instanceof TrainingRun.Stopped, "stopped, not ended otherwise: " + e);
        assertTrue(e.getMessage().startsWith("stopped at epoch 1 step "), e.getMessage());
        assertTrue(!log.toString().contains("exported"), log.toString());
    }

    @Test
    void cachedDetectionsAreKeyedByEveryDetectorSetting() {
        TrainingRun.Options o = options(temp, temp, 1, false);
        String key = TrainingRun.cacheKey("yolox:yolox_nano.onnx", o.sources().detector(), o.sources().detections());
        assertEquals(key, TrainingRun.cacheKey("yolox:yolox_nano.onnx", o.sources().detector(),
                DetectionFilter.of(0.3f, Map.of(), java.util.Set.of(), 4f)), "equal settings, equal key");
        assertTrue(!key.equals(TrainingRun.cacheKey("yolox:yolox_nano.onnx", o.sources().detector(),
                DetectionFilter.of(0.3f, Map.of("bicycle", 0.2f), java.util.Set.of(), 4f))), "a class threshold changes it");
        assertTrue(!key.equals(TrainingRun.cacheKey("yolov3:yolov3-10.onnx", o.sources().detector(), o.sources().detections())),
                "another model changes it");
    }

    /** The video prefixes of the cached detection files, sorted. */
    private static List<String> cachedVideos(Path out) throws java.io.IOException {
        try (var files = Files.list(out.resolve("detections"))) {
            return files.map(f -> f.getFileName().toString()).map(n -> n.substring(0, 3)).sorted().toList();
        }
    }
}
