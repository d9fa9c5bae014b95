package io.vigil.ingest.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.vision.synthetic.SyntheticScene;
import io.vigil.vision.synthetic.SyntheticScene.Anomaly;
import io.vigil.vision.synthetic.SyntheticScene.GroundTruthBox;
import io.vigil.vision.image.ImageCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticSceneTest {

    @TempDir
    Path temp;

    private static SyntheticScene scene(String query) throws SourceException {
        return new SyntheticScene(FrameSources.parseSynthetic("synthetic:?" + query));
    }

    @Test
    void framesAreDeterministicAndPeopleMove() throws Exception {
        SyntheticScene a = scene("walkers=5&seed=3");
        SyntheticScene b = scene("walkers=5&seed=3");
        assertArrayEquals(a.render(17).bgr(), b.render(17).bgr(), "same spec, same frame");
        byte[] f0 = a.render(0).bgr();
        byte[] f10 = a.render(10).bgr();
        int changed = 0;
        for (int i = 0; i < f0.length; i++) {
            if (Math.abs((f0[i] & 0xFF) - (f10[i] & 0xFF)) > 30) {
                changed++;
            }
        }
        assertTrue(changed > 200, "walking people change the image: " + changed + " bytes changed strongly");
        assertTrue(a.render(10).anomalies().isEmpty(), "no anomalies unless asked for");
    }

    @Test
    void scheduledAnomaliesHaveExactGroundTruth() throws Exception {
        SyntheticScene s = scene("walkers=3&anomalies=fast@10,backward@60,erratic@110,unusual@160&anomaly-frames=30&frames=200");
        assertTrue(s.render(9).anomalies().isEmpty());
        assertEquals(Anomaly.FAST, s.render(10).anomalies().get(0).kind());
        assertEquals(1, s.render(39).anomalies().size());
        assertTrue(s.render(40).anomalies().isEmpty(), "30 frames long");

        GroundTruthBox fastA = s.render(15).anomalies().get(0);
        GroundTruthBox fastB = s.render(16).anomalies().get(0);
        assertTrue(fastB.x1() - fastA.x1() >= 6, "fast moves >= 6 px per frame");

        GroundTruthBox backA = s.render(65).anomalies().get(0);
        GroundTruthBox backB = s.render(75).anomalies().get(0);
        assertEquals(Anomaly.BACKWARD, backA.kind());
        assertTrue(backB.x1() < backA.x1(), "the backward walker faces right and moves left");

        GroundTruthBox cart = s.render(170).anomalies().get(0);
        assertEquals(Anomaly.UNUSUAL, cart.kind());
        assertTrue(cart.x2() - cart.x1() > cart.y2() - cart.y1(), "a cart is wider than tall, unlike a person");

        // The anomaly is really drawn inside its box: the frame differs from the same frame without it.
        SyntheticScene plain = scene("walkers=3&frames=200");
        byte[] with = s.render(170).bgr();
        byte[] without = plain.render(170).bgr();
        int w = s.spec().width();
        int diff = 0;
        for (int y = cart.y1(); y < cart.y2(); y++) {
            for (int x = cart.x1(); x < cart.x2(); x++) {
                int i = (y * w + x) * 3;
                diff += Math.abs((with[i] & 0xFF) - (without[i] & 0xFF));
            }
        }
        assertTrue(diff > 1000, "pixels inside the ground-truth box changed: " + diff);
    }

    @Test
    void anAnomalousPersonWearsWhatTheWalkersWearSoOnlyTheirMotionIsUnusual() throws Exception {
        SyntheticScene s = scene("walkers=3&anomalies=fast@10,backward@60,erratic@110&anomaly-frames=30&frames=200");
        SyntheticScene plain = scene("walkers=3&frames=200");
        int w = s.spec().width();
        for (int frame : new int[] {15, 70, 120}) {
            GroundTruthBox box = s.render(frame).anomalies().get(0);
            byte[] with = s.render(frame).bgr();
            byte[] without = plain.render(frame).bgr();
            int drawn = 0;
            float saturated = 0;
            for (int y = box.y1(); y < box.y2(); y++) {
                for (int x = box.x1(); x < box.x2(); x++) {
                    int i = (y * w + x) * 3;
                    int b = with[i] & 0xFF, g = with[i + 1] & 0xFF, r = with[i + 2] & 0xFF;
                    if (Math.abs(b - (without[i] & 0xFF)) + Math.abs(g - (without[i + 1] & 0xFF))
                            + Math.abs(r - (without[i + 2] & 0xFF)) > 60) {
                        drawn++;
                        float[] hsb = java.awt.Color.RGBtoHSB(r, g, b, null);
                        saturated = hsb[2] > 0.5f ? Math.max(saturated, hsb[1]) : saturated;
                    }
                }
            }
            assertTrue(drawn > 20, box.kind() + ": drawn");
            // Walkers' shirts have a saturation of at most 0.65; the anomalies once wore one red shirt (0.8).
            assertTrue(saturated < 0.75f, box.kind() + " at frame " + frame + ": saturation " + saturated);
        }
    }

    @Test
    void unscheduledAnomaliesAreSpreadAndRepeatInEndlessScenes() throws Exception {
        SyntheticScene s = scene("anomalies=fast,unusual&period=120&anomaly-frames=20");
        List<SyntheticScene.ScheduledAnomaly> schedule = s.spec().anomalies();
        assertEquals(30, schedule.get(0).startFrame());
        assertEquals(70, schedule.get(1).startFrame());
        assertFalse(s.render(35).anomalies().isEmpty());
        assertFalse(s.render(35 + 120).anomalies().isEmpty(), "repeats every period");
    }

    @Test
    void sourceWritesPed2StyleLabelsAndBoxes() throws Exception {
        Path prefix = temp.resolve("gt/cam");
        SyntheticScene s = scene("walkers=2&frames=50&anomalies=unusual@20&anomaly-frames=10");
        try (SyntheticSource source = new SyntheticSource(s, 90, 0, prefix)) {
            int n = 0;
            while (source.next().isPresent()) {
                n++;
            }
            assertEquals(50, n);
            assertFalse(source.isLive());
        }
        List<String> labels = Files.readAllLines(Path.of(prefix + ".labels.txt"));
        assertEquals(50, labels.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(i >= 20 && i < 30 ? "1" : "0", labels.get(i), "frame " + i);
        }
        List<String> boxes = Files.readAllLines(Path.of(prefix + ".boxes.csv"));
        assertEquals("frame,kind,x1,y1,x2,y2", boxes.get(0));
        assertEquals(11, boxes.size());
        assertTrue(boxes.get(1).startsWith("20,unusual,"), boxes.get(1));
    }

    @Test
    void framesDecodeAsJpegOfTheRequestedSize() throws Exception {
        try (SyntheticSource source = new SyntheticSource(scene("width=320&height=200"), 85, 1000, null)) {
            SourceFrame f = source.next().orElseThrow();
            assertEquals(320, new ImageCodec().decode(f.jpeg()).width());
            assertEquals(200, f.height());
            assertTrue(source.isLive(), "frames=0 is endless");
        }
    }

    @Test
    void badParametersAreClearErrors() {
        SourceException typo = assertThrows(SourceException.class, () -> FrameSources.parseSynthetic("synthetic:?walker=3"));
        assertTrue(typo.getMessage().contains("walker"), typo.getMessage());
        SourceException kind = assertThrows(SourceException.class, () -> FrameSources.parseSynthetic("synthetic:?anomalies=dance"));
        assertTrue(kind.getMessage().contains("dance"), kind.getMessage());
    }
}
