package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class OfflinePipelineTest {

    @TempDir
    Path dir;

    /**
     * The motion detector keeps a background per camera. The evaluator once keyed it by video id, so normal video 01
     * started on test video 01's background: every pixel was foreground for about 20 frames, one box the size of the
     * frame, which the scorer found unusual (false alarms at every such start, and event thresholds raised by them).
     */
    @Test
    void aNormalVideoNamedLikeATestVideoStartsOnABackgroundOfItsOwn() throws Exception {
        assertEquals(0, new CommandLine(new SyntheticData()).execute("--out", dir.toString(), "--set", "testing",
                "--frames", "40", "--scene", "synthetic:?walkers=3&seed=10"));
        assertEquals(0, new CommandLine(new SyntheticData()).execute("--out", dir.toString(), "--set", "training",
                "--frames", "40", "--scene", "synthetic:?walkers=3&seed=20"));
        Datasets.LabelledVideo test = Datasets.open(dir, List.of()).get(0);
        Datasets.LabelledVideo normal = Datasets.normal(dir.resolve("training"), List.of()).get(0);
        assertEquals(test.id(), normal.id(), "two videos of one name, with different backgrounds (seeds)");
        // A warm-up shorter than the stray background's 20 frames, or it would hide the mix-up.
        try (FrameDetector detector = motionDetector(); OnnxModel m = streetModel()) {
            OfflinePipeline pipeline = pipeline(detector, scorer(m));
            for (Datasets.LabelledVideo v : List.of(test, normal)) {
                OfflinePipeline.VideoResult r = pipeline.run(v, message -> { });
                assertTrue(r.detections() > 0, "the walkers are found in video " + v.id());
                for (OfflinePipeline.ScoredObject o : r.objects()) {
                    var box = o.prediction().region();
                    assertTrue((box.x2() - box.x1()) * (box.y2() - box.y1()) < 0.25 * 360 * 240,
                            "a box over most of the frame, at frame " + box.frame() + ": " + box);
                }
            }
        }
    }

    @Test
    void aRememberingPipelineRunsAVideoAgainWithoutDetectingOrScoringIt() throws Exception {
        assertEquals(0, new CommandLine(new SyntheticData()).execute("--out", dir.toString(), "--set", "training",
                "--frames", "30", "--scene", "synthetic:?walkers=3&seed=30"));
        Datasets.LabelledVideo normal = Datasets.normal(dir.resolve("training"), List.of()).get(0);
        try (FrameDetector detector = motionDetector(); OnnxModel m = streetModel()) {
            SsmtlScorer scorer = scorer(m);
            OfflinePipeline pipeline = pipeline(detector, scorer).remembering();
            List<String> first = new java.util.ArrayList<>();
            OfflinePipeline.VideoResult a = pipeline.run(normal, first::add);
            assertTrue(a.sequences() > 0, "objects scored: " + first);
            // Other variants, as the folds add once the normal video gave the cues' scales.
            OfflinePipeline.Variant doubled = new OfflinePipeline.Variant(OfflinePipeline.ALL,
                    s -> 2 * scorer.scoreOf(s, scorer.defaultTasks()), AlertTimeline.Settings.defaults());
            List<String> second = new java.util.ArrayList<>();
            OfflinePipeline.VideoResult b = pipeline.withVariants(List.of(doubled)).run(normal, second::add);
            assertTrue(second.stream().anyMatch(line -> line.contains("detected and scored before")), second.toString());
            assertEquals(a.sequences(), b.sequences());
            assertEquals(a.detections(), b.detections());
            for (int k = 0; k < a.objects().size(); k++) {
                assertEquals(2 * a.objects().get(k).prediction().score(), b.objects().get(k).prediction().score(), 1e-5,
                        "object " + k + " scored from the same model outputs");
            }
        }
    }

    /** The motion detector with a warm-up of 10 frames. */
    private static FrameDetector motionDetector() {
        DetectorOptions motion = new DetectorOptions();
        motion.backend = "motion";
        DetectorSpec spec = new DetectorSpec(DetectorSpec.Backend.MOTION, null, Device.CPU, 1, 640, 0.3f, 0.45f, 8, true,
                new MotionDetector.Settings(200, 9, false, 40, 3, 10), false);
        return spec.frameDetector(spec.create(), motion.filter(), new ImageCodec());
    }

    private static OnnxModel streetModel() throws Exception {
        return OnnxSessionFactory.open(Path.of(System.getProperty("vigil.models.dir", "../models"), "ssmtl-street.onnx"),
                OnnxSessionFactory.Options.cpu(1));
    }

    private static SsmtlScorer scorer(OnnxModel model) {
        return new SsmtlScorer(model, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.SURPRISE);
    }

    private static OfflinePipeline pipeline(FrameDetector detector, SsmtlScorer scorer) {
        return new OfflinePipeline(detector, new SequenceBuilder(SequenceSettings.paper().withCropSize(scorer.cropSize())),
                scorer, AlertTimeline.Settings.defaults(), 8);
    }
}
