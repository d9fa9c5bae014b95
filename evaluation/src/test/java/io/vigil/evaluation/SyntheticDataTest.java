package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SyntheticDataTest {

    @TempDir
    Path dir;

    @Test
    void theStreetBecomesALabelledDataSetTheEvaluatorOpens() throws Exception {
        assertEquals(0, new CommandLine(new SyntheticData()).execute("--out", dir.toString(), "--videos", "2", "--frames", "60",
                "--scene", "synthetic:?frames=60&walkers=3&anomalies=fast@20&anomaly-frames=10"));
        List<Datasets.LabelledVideo> videos = Datasets.open(dir, List.of());
        assertEquals(List.of("01", "02"), videos.stream().map(Datasets.LabelledVideo::id).toList());
        for (Datasets.LabelledVideo v : videos) {
            assertEquals(60, v.frames().size());
            int anomalous = 0;
            for (int f = 0; f < 60; f++) {
                anomalous += v.labels()[f] ? 1 : 0;
                assertEquals(f >= 20 && f < 30, v.labels()[f], "frame " + f + " of " + v.id());
            }
            assertEquals(10, anomalous);
        }
        assertTrue(Files.size(videos.get(0).frames().get(0)) > 1000, "a JPEG");
    }

    @Test
    void anEndlessSceneRepeatsItsAnomaliesEveryPeriodAsTheDefaultCameraDoes() throws Exception {
        assertEquals(0, new CommandLine(new SyntheticData()).execute("--out", dir.toString(), "--frames", "200",
                "--scene", "synthetic:?walkers=2&anomalies=fast&period=100&anomaly-frames=10"));
        boolean[] labels = Datasets.open(dir, List.of()).get(0).labels();
        int anomalous = 0;
        for (int f = 0; f < 200; f++) {
            anomalous += labels[f] ? 1 : 0;
            assertEquals(labels[f % 100], labels[f], "frame " + f);
        }
        assertEquals(20, anomalous, "once in each of the two periods");
    }

    @Test
    void trainingVideosHaveNoLabelsAndBadScenesAreRefused() {
        assertEquals(0, new CommandLine(new SyntheticData()).execute("--out", dir.toString(), "--set", "training", "--frames", "5"));
        assertTrue(Files.isRegularFile(dir.resolve("training/01/00004.jpg")) && !Files.exists(dir.resolve("testing-labels")));
        CommandLine cli = new CommandLine(new SyntheticData());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertTrue(cli.execute("--out", dir.toString(), "--scene", "synthetic:?walker=3") != 0, "a typo is an error");
    }
}
