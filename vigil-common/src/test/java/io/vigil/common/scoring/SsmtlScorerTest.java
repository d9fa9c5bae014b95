package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import io.vigil.vision.onnx.proto.TensorProto.DataType;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer's arithmetic on a tiny model in the SSMTL export format with known outputs: P(backward) 0.7,
 * P(intermittent) 0.1, a middle crop predicted as flat 0.5 grey, distillation outputs all 0.2.
 */
class SsmtlScorerTest {

    static final int T = 7;
    static final int S = 8;

    @TempDir
    Path temp;

    private Path tinyModel(Map<String, String> metadata) {
        return TinySsmtlModel.write(temp.resolve("tiny-ssmtl.onnx"), T, S, 0.7f, 0.1f, metadata);
    }

    /** Middle crop white, other crops black; detector probabilities all 0.1. */
    static ObjectSequence sequence(int frames) {
        byte[] px = new byte[frames * S * S * 3];
        int plane = S * S * 3;
        java.util.Arrays.fill(px, (frames / 2) * plane, (frames / 2 + 1) * plane, (byte) 255);
        Detection.Builder d = Detection.newBuilder().setClassId(0).setConfidence(0.9f);
        for (int c = 0; c < 80; c++) {
            d.addClassProbabilities(0.1f);
        }
        return ObjectSequence.newBuilder().setCameraId("c").setSequenceLength(frames).setCropSize(S)
                .setPixels(ByteString.copyFrom(px)).setDetection(d).build();
    }

    @Test
    void taskScoresAndTheirMean() {
        try (OnnxModel m = OnnxSessionFactory.open(tinyModel(Map.of()), OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer scorer = new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
            SsmtlScorer.Scores s = scorer.score(List.of(sequence(T))).get(0);
            assertEquals(0.7f, s.arrowOfTime(), 1e-6);
            assertEquals(0.1f, s.irregularity(), 1e-6);
            assertEquals(0.5f, s.reconstruction(), 1e-6, "|0.5 - 1| over the white middle crop");
            assertEquals(0.1f, s.distillation(), 1e-6, "|0.2 - 0.1| over 80 classes");
            assertEquals(0f, s.speed(), 1e-9, "flat crops: no gradient, so no flow to see");
            assertEquals((0.7f + 0.1f + 0.5f + 0.1f + 0f) / 5, s.score(), 1e-6);
        }
    }

    @Test
    void aTaskTheCalibrationObjectsNeverHadIsLeftOut() {
        // A model trained and calibrated on class-agnostic detections (the motion detector): no distillation scores.
        Map<String, String> meta = Map.of(SsmtlScorer.unavailableKey(SsmtlScorer.Task.DISTILLATION), "none");
        try (OnnxModel m = OnnxSessionFactory.open(tinyModel(meta), OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer scorer = new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
            assertEquals(EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME, SsmtlScorer.Task.IRREGULARITY,
                    SsmtlScorer.Task.RECONSTRUCTION, SsmtlScorer.Task.SPEED), scorer.tasks());
            assertEquals((0.7f + 0.1f + 0.5f + 0f) / 4, scorer.score(List.of(sequence(T))).get(0).score(), 1e-6);
        }
    }

    @Test
    void calibrationFromMetadataAndTaskAblation() {
        Map<String, String> meta = Map.of(
                "vigil.calibration.arrow_of_time.mean", "0.5", "vigil.calibration.arrow_of_time.std", "0.1",
                "vigil.calibration.arrow_of_time.p99", "0.9",
                "vigil.calibration.reconstruction.mean", "0.1", "vigil.calibration.reconstruction.std", "0.2",
                "vigil.calibration.reconstruction.p99", "0.25");
        try (OnnxModel m = OnnxSessionFactory.open(tinyModel(meta), OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer z = new SsmtlScorer(m, EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME, SsmtlScorer.Task.RECONSTRUCTION),
                    TaskCalibration.Mode.ZSCORE);
            // ((0.7 - 0.5) / 0.1 + (0.5 - 0.1) / 0.2) / 2 = (2 + 2) / 2
            assertEquals(2f, z.score(List.of(sequence(T))).get(0).score(), 1e-5);
            SsmtlScorer p99 = new SsmtlScorer(m, EnumSet.of(SsmtlScorer.Task.RECONSTRUCTION), TaskCalibration.Mode.P99);
            assertEquals(2f, p99.score(List.of(sequence(T))).get(0).score(), 1e-5);
            assertEquals(EnumSet.of(SsmtlScorer.Task.RECONSTRUCTION), p99.tasks());
        }
    }

    @Test
    void surpriseCalibrationPutsTheMeanOnTheCombinedScale() throws Exception {
        Path model = tinyModel(Map.of());
        // Normal objects: every task uniform on [0, 1) over 1000 objects.
        Calibrator calibrator = new Calibrator();
        List<SsmtlScorer.Scores> normal = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            float v = i / 1000f;
            normal.add(new SsmtlScorer.Scores(v, v, v, v, v, Float.NaN));
        }
        calibrator.add(normal);
        Map<String, String> meta = calibrator.metadata(new Calibrator.Choice(EnumSet.allOf(SsmtlScorer.Task.class),
                SsmtlScorer.Combination.MEAN, Set.of()));
        assertEquals("arrow_of_time,irregularity,reconstruction,distillation,speed", meta.get("vigil.calibration.combined.tasks"));
        assertEquals("mean", meta.get(SsmtlScorer.Combination.KEY));
        Path calibrated = io.vigil.vision.onnx.OnnxMetadata.update(model, meta, temp.resolve("calibrated.onnx"));
        try (OnnxModel m = OnnxSessionFactory.open(calibrated, OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer all = new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.SURPRISE);
            SsmtlScorer.Scores s = all.score(List.of(sequence(T))).get(0);
            TaskCalibration uniform = TaskCalibration.fromMetadata(meta, "arrow_of_time");
            float mean = (uniform.surprise(0.7f) + uniform.surprise(0.1f) + uniform.surprise(0.5f) + uniform.surprise(0.1f)
                    + uniform.surprise(0f)) / 5;
            assertEquals(TaskCalibration.fromMetadata(meta, "combined").surprise(mean), s.score(), 1e-5,
                    "the mean surprise, put on the combined scale");
            // A subset has no combined scale of its own: its score is the mean surprise.
            SsmtlScorer two = new SsmtlScorer(m, EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME, SsmtlScorer.Task.RECONSTRUCTION),
                    TaskCalibration.Mode.SURPRISE);
            assertEquals((uniform.surprise(0.7f) + uniform.surprise(0.5f)) / 2, two.score(List.of(sequence(T))).get(0).score(), 1e-6);
        }
        try (OnnxModel m = OnnxSessionFactory.open(model, OnnxSessionFactory.Options.cpu(1))) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.SURPRISE));
            assertTrue(e.getMessage().contains("no surprise calibration for arrow_of_time"), e.getMessage());
        }
    }

    @Test
    void theRarestCueRuleReadsTheLargestSurpriseOnAScaleCalibratedForIt() throws Exception {
        // Normal objects: two independent cues, each uniform over 100 values; an object is rare on the rarest-cue scale
        // when either cue is, and less rare than that cue alone says (two cues had the chance).
        Calibrator calibrator = new Calibrator();
        List<SsmtlScorer.Scores> normal = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (int j = 0; j < 100; j++) {
                normal.add(new SsmtlScorer.Scores(i / 100f, Float.NaN, j / 100f, Float.NaN, Float.NaN, Float.NaN));
            }
        }
        calibrator.add(normal);
        EnumSet<SsmtlScorer.Task> cues = EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME, SsmtlScorer.Task.RECONSTRUCTION);
        Map<String, String> meta = calibrator.metadata(new Calibrator.Choice(cues, SsmtlScorer.Combination.RAREST, Set.of()));
        assertEquals("rarest", meta.get(SsmtlScorer.Combination.KEY));
        // Written into a directory that does not exist yet: update makes it.
        Path calibrated = io.vigil.vision.onnx.OnnxMetadata.update(tinyModel(Map.of()), meta,
                temp.resolve("not-yet-made/rarest.onnx"));
        try (OnnxModel m = OnnxSessionFactory.open(calibrated, OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer scorer = new SsmtlScorer(m, cues, TaskCalibration.Mode.SURPRISE);
            assertEquals(SsmtlScorer.Combination.RAREST, scorer.combination());
            TaskCalibration arrow = TaskCalibration.fromMetadata(meta, "arrow_of_time");
            TaskCalibration reconstruction = TaskCalibration.fromMetadata(meta, "reconstruction");
            SsmtlScorer.Scores s = scorer.score(List.of(sequence(T))).get(0); // the tiny model: arrow 0.7, middle box 0.5
            float rarest = Math.max(arrow.surprise(0.7f), reconstruction.surprise(0.5f));
            assertEquals(TaskCalibration.fromMetadata(meta, "combined").surprise(rarest), s.score(), 1e-6);
            SsmtlScorer.Scores oneCueOff = new SsmtlScorer.Scores(0.97f, Float.NaN, 0.2f, Float.NaN, Float.NaN, Float.NaN);
            SsmtlScorer.Scores bothMild = new SsmtlScorer.Scores(0.8f, Float.NaN, 0.8f, Float.NaN, Float.NaN, Float.NaN);
            float single = scorer.scoreOf(oneCueOff, cues);
            assertTrue(single > scorer.scoreOf(bothMild, cues), "one cue far out outranks two mildly unusual ones");
            assertTrue(single < arrow.surprise(0.97f) && single > arrow.surprise(0.97f) - 0.4f,
                    "about log10(2) less than the cue alone: " + single + " vs " + arrow.surprise(0.97f));
            TaskCalibration meanScale = calibrator.combinedScale(cues, scorer.calibration(), SsmtlScorer.Combination.MEAN);
            assertTrue(scorer.scoreOf(oneCueOff, cues, SsmtlScorer.Combination.MEAN, meanScale) < single,
                    "the mean averages the one unusual cue away");
        }
        assertThrows(IllegalArgumentException.class, () -> SsmtlScorer.Combination.parse("median"));
    }

    @Test
    void theArrowOfTimeByBandOfSpeedIsRareAmongObjectsAsFastAsItIs() throws Exception {
        // Normal objects as the arrow-of-time head sees them: the slower, the less sure of the direction.
        Calibrator calibrator = new Calibrator();
        List<SsmtlScorer.Scores> normal = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float speed = (i % 1000) / 1000f;
            float backward = (1 - speed) * ((i * 7919) % 1000) / 1000f;
            normal.add(new SsmtlScorer.Scores(backward, 0.1f, Float.NaN, Float.NaN, speed, Float.NaN));
        }
        calibrator.add(normal);
        EnumSet<SsmtlScorer.Task> cues = EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME, SsmtlScorer.Task.IRREGULARITY);
        Map<String, String> meta = calibrator.metadata(new Calibrator.Choice(cues, SsmtlScorer.Combination.MEAN,
                EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME)));
        SpeedBands bands = SpeedBands.fromMetadata(meta, "arrow_of_time");
        assertNotNull(bands);
        assertEquals(bands, calibrator.speedBands(SsmtlScorer.Task.ARROW_OF_TIME), "metadata round trip");
        assertNull(SpeedBands.fromMetadata(meta, "irregularity"), "only the cues asked for");
        assertEquals(0.333f, bands.upperEdges()[0], 0.002f, "bands of equal count");
        assertEquals(0.666f, bands.upperEdges()[1], 0.002f);
        CueCalibration byBand = calibrator.calibration(EnumSet.of(SsmtlScorer.Task.ARROW_OF_TIME));
        CueCalibration oneTable = byBand.withSpeedBands(SsmtlScorer.Task.ARROW_OF_TIME, null);
        SsmtlScorer.Scores fastUnsure = new SsmtlScorer.Scores(0.5f, 0.1f, Float.NaN, Float.NaN, 0.95f, Float.NaN);
        SsmtlScorer.Scores slowUnsure = new SsmtlScorer.Scores(0.4f, 0.1f, Float.NaN, Float.NaN, 0.05f, Float.NaN);
        SsmtlScorer.Task arrow = SsmtlScorer.Task.ARROW_OF_TIME;
        TaskCalibration.Mode surprise = TaskCalibration.Mode.SURPRISE;
        assertTrue(byBand.apply(arrow, fastUnsure, surprise) > 2.5f, "beyond every fast normal object");
        assertTrue(oneTable.apply(arrow, fastUnsure, surprise) < 1f, "one table: an ordinary value");
        assertTrue(byBand.apply(arrow, slowUnsure, surprise) < 0.5f, "common among slow objects");
        assertTrue(oneTable.apply(arrow, slowUnsure, surprise) > byBand.apply(arrow, slowUnsure, surprise));
        SsmtlScorer.Scores noSpeed = new SsmtlScorer.Scores(0.5f, 0.1f, Float.NaN, Float.NaN, Float.NaN, Float.NaN);
        assertEquals(oneTable.apply(arrow, noSpeed, surprise), byBand.apply(arrow, noSpeed, surprise),
                "without a speed, the one table");

        Path calibrated = io.vigil.vision.onnx.OnnxMetadata.update(tinyModel(Map.of()), meta, temp.resolve("banded.onnx"));
        try (OnnxModel m = OnnxSessionFactory.open(calibrated, OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer scorer = new SsmtlScorer(m, cues, surprise);
            assertEquals(Map.of(arrow, bands), scorer.calibration().bySpeed());
            SsmtlScorer.Scores s = scorer.score(List.of(sequence(T))).get(0);
            assertFalse(Float.isNaN(s.speed()), "the speed is measured for the bands although it is not a cue");
            assertEquals(bands.band(s.speed()).surprise(0.7f), scorer.cueSurprises(s).get("arrow_of_time"), 1e-6);
            assertFalse(scorer.cueSurprises(s).containsKey("speed"));
        }
        assertNull(SpeedBands.of(new float[299], new float[299]), "too few objects for three bands of 100");
    }

    @Test
    void aBatchScoresLikeItsObjectsOneByOneAndBadSequencesAreNamed() {
        try (OnnxModel m = OnnxSessionFactory.open(tinyModel(Map.of()), OnnxSessionFactory.Options.cpu(1))) {
            SsmtlScorer scorer = new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
            List<SsmtlScorer.Scores> batch = scorer.score(List.of(sequence(T), sequence(T), sequence(T)));
            assertEquals(3, batch.size());
            assertEquals(scorer.score(List.of(sequence(T))).get(0), batch.get(2));
            assertNull(scorer.incompatibility(sequence(T)));
            String problem = scorer.incompatibility(sequence(5));
            assertTrue(problem.contains("5 crops") && problem.contains("7 crops"), problem);
            assertThrows(IllegalArgumentException.class, () -> scorer.score(List.of(sequence(5))));
        }
    }

    @Test
    void aModelThatIsNotAnSsmtlExportIsRejected() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("other", 12);
        g.input("x", DataType.FLOAT, 1, 4);
        g.node("Identity", new String[] {"x"}, new String[] {"y"});
        g.output("y", DataType.FLOAT, 1, 4);
        try (OnnxModel m = OnnxSessionFactory.open(g.write(temp.resolve("other.onnx")), OnnxSessionFactory.Options.cpu(1))) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> new SsmtlScorer(m, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE));
            assertTrue(e.getMessage().contains("sequences"), e.getMessage());
        }
    }
}
