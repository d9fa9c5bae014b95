package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.evaluation.metrics.RegionTrackDetection;
import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageCodec;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The evaluator end to end on Ped2 test video 02 with the trained model and YOLOX-Nano. */
class EvaluateMainTest {

    @TempDir
    Path out;

    @Test
    void foldsJudgeEachComponentOnTheVideoHeldOutAndTheCrowdOnNormalVideo() throws Exception {
        Path data = SharedData.require("datasets/ucsd-ped2");
        Path model = Path.of(System.getProperty("vigil.models.dir", "../models"), "ssmtl-ped2-shallow-narrow.onnx");
        int exit = EvaluateMain.run(new java.util.LinkedHashMap<>(Map.ofEntries(Map.entry("--data", data.toString()),
                Map.entry("--videos", "02,05"), Map.entry("--model", model.toString()),
                Map.entry("--detector-model", SharedData.require("models/yolox-nano-coco/yolox_nano.onnx").toString()),
                Map.entry("--normal-data", data.resolve("training").toString()), Map.entry("--normal-videos", "16"),
                Map.entry("--folds", "true"), Map.entry("--sigmas", "6,3"), Map.entry("--out", out.toString()))));
        assertEquals(0, exit);
        String smoothing = Files.readString(out.resolve("smoothing.md"));
        assertTrue(smoothing.contains("| 9 frames, 0.9 s |") && smoothing.lines().filter(l -> l.matches("\\| \\**[36]\\** \\|.*")).count() == 2, smoothing);
        assertTrue(Files.readString(out.resolve("report.md")).contains("## The smoothing, by the anomalies it opens"));
        JsonNode folds = new ObjectMapper().readTree(out.resolve("folds.json").toFile());
        List<String> components = new java.util.ArrayList<>();
        folds.get("components").forEach(c -> {
            components.add(c.get("component").get("name").asText());
            assertEquals(2, c.get("folds").size(), "one fold per labelled video: " + c);
            assertTrue(c.get("helps").asInt() >= 0 && c.get("helps").asInt() <= 2, c.toString());
        });
        assertEquals(List.of("arrow_of_time", "irregularity", "reconstruction (not in the default)", "distillation", "speed",
                "rarest cue, not the mean (not in the default)", "arrow of time by speed band (not in the default)",
                "crowd adjustment"), components);
        Map<String, Double> rho = new java.util.HashMap<>();
        folds.get("crowding").forEach(c -> rho.put(c.get("variant").asText(), c.get("spearman").asDouble()));
        assertTrue(rho.containsKey("arrow_of_time alone, by speed band"), "the banded arrow's own crowd check: " + rho);
        String cues = "arrow_of_time+irregularity+distillation+speed";
        assertTrue(rho.get(cues + ", crowd_adjusted") < rho.get(cues + ", maximum"),
                "the maximum over more objects rises with their number; the adjusted score less: " + rho);
        assertTrue(Files.readString(out.resolve("report.md")).contains("## Leave-one-video-out"));
        List<String> objects = Files.readAllLines(out.resolve("objects.csv"));
        assertEquals("video,set,frame,x1,y1,x2,y2,score,arrow_of_time,irregularity,reconstruction,distillation,speed",
                objects.get(0));
        assertTrue(objects.stream().anyMatch(l -> l.startsWith("05,test,")) && objects.stream().anyMatch(l -> l.startsWith("16,normal,")));

        CommandLine.ParameterException oneVideo = org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.ParameterException.class, () -> EvaluateMain.run(Map.of("--data", data.toString(), "--videos",
                        "02", "--model", model.toString(), "--folds", "true")));
        assertTrue(oneVideo.getMessage().contains("at least two labelled videos"), oneVideo.getMessage());
        CommandLine.ParameterException noNormal = org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.ParameterException.class, () -> EvaluateMain.run(Map.of("--data", data.toString(), "--videos",
                        "02", "--model", model.toString(), "--sigmas", "3,8")));
        assertTrue(noNormal.getMessage().contains("--sigmas"), noNormal.getMessage());
    }

    @Test
    void ped2Video02GivesAReportWithMetricsAndPlots() throws Exception {
        Path data = SharedData.require("datasets/ucsd-ped2");
        Path model = Path.of(System.getProperty("vigil.models.dir", "../models"), "ssmtl-ped2-shallow-narrow.onnx");
        int exit = EvaluateMain.run(new java.util.LinkedHashMap<>(Map.ofEntries(Map.entry("--data", data.toString()),
                Map.entry("--videos", "02"), Map.entry("--model", model.toString()), Map.entry("--detector", "yolox"),
                Map.entry("--detector-model", SharedData.require("models/yolox-nano-coco/yolox_nano.onnx").toString()),
                Map.entry("--normal-data", data.resolve("training").toString()), Map.entry("--normal-videos", "16"),
                Map.entry("--out", out.toString()))));
        assertEquals(0, exit);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode e = report.get("evaluation");
        double micro = e.get("microAuc").get("all").asDouble();
        assertTrue(micro > 0.95, "the bike of video 02 stands out: micro AUC " + micro);
        for (String task : List.of("arrow_of_time", "irregularity", "reconstruction", "distillation", "speed")) {
            assertTrue(e.get("microAuc").has(task + " alone"), "ablation has " + task);
            double objects = e.get("objectAuc").get(task + " alone").asDouble();
            assertTrue(objects > 0 && objects <= 1, task + " ranks the objects on the bike's mask: " + objects);
        }
        assertTrue(e.get("objectAuc").get("all").asDouble() > 0.9, "the bike is the most unusual object: " + e.get("objectAuc"));
        double rbdc = e.get("rbdc").asDouble();
        double tbdc = e.get("tbdc").asDouble();
        assertTrue(rbdc > 0 && rbdc <= 1 && tbdc > 0 && tbdc <= 1, "RBDC " + rbdc + " TBDC " + tbdc);
        assertEquals(180, report.get("videos").get(0).get("frameScores").size());
        float[] readBack = Report.frameScores(out.resolve("report.json")).get(0); // what --against reads
        assertEquals(report.get("videos").get(0).get("frameScores").get(90).floatValue(), readBack[90]);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| **the model's cues** (the headline) |") && md.contains("RBDC") && md.contains("![ROC](roc.png)"), md);
        assertTrue(md.contains("Published evaluation protocol") && md.contains("**offline only**"), md);
        JsonNode operator = report.get("operator");
        assertEquals(1, operator.get("spans").size(), "video 02 has one anomalous span (the bike)");
        assertTrue(operator.get("spans").get(0).get("startDelay").isInt(), "the alert-sink's rules open an event on it: " + operator);
        assertTrue(md.contains("1 of 1 labelled anomalies opened an event"), md);
        JsonNode normal = report.get("normalVideo");
        assertTrue(normal.get("frames").asLong() > 100 && normal.get("events").asInt() >= 0, "held-out training video 16: " + normal);
        assertTrue(md.contains("minutes of normal video: ") && md.contains("highest smoothed frame score"), md);
        JsonNode calledFor = report.get("thresholdsCalledFor");
        double open = calledFor.get("open").asDouble();
        assertTrue(open >= 1.75 && (normal.get("events").asInt() == 0 || open > 1.75), "never below the default, above it "
                + "when video 16 raised events there (a budget of 1 a day allows none in 12 s): " + calledFor);
        assertTrue(md.contains("thresholds this normal video calls for"), md);
        for (String png : List.of("roc.png", "timeline-02.png")) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertTrue(img != null && img.getWidth() >= 640, png);
        }
    }

    @Test
    void maskComponentsOfVideo02FormTracksAndScoreThemselvesPerfectly() throws Exception {
        Path data = SharedData.require("datasets/ucsd-ped2");
        Datasets.LabelledVideo v = Datasets.open(data, List.of("02")).get(0);
        List<RegionTrackDetection.Track> tracks = MaskRegions.tracks("02", v.masks().orElseThrow(), new ImageCodec());
        assertTrue(!tracks.isEmpty() && tracks.size() <= 4, "the bike (and few fragments): " + tracks.size() + " tracks");
        long regions = tracks.stream().mapToLong(t -> t.regions().size()).sum();
        assertTrue(regions >= 80, "a region on (almost) every anomalous frame: " + regions);
        // The ground truth as predictions detects every region and track with no false positive.
        List<RegionTrackDetection.Prediction> perfect = tracks.stream().flatMap(t -> t.regions().stream())
                .map(r -> new RegionTrackDetection.Prediction(r, 1f)).toList();
        RegionTrackDetection.Result r = RegionTrackDetection.compute(tracks, perfect, v.frames().size());
        assertEquals(1.0, r.rbdc(), 1e-9);
        assertEquals(1.0, r.tbdc(), 1e-9);
    }

    @Test
    void theCommandLineHasHelpAndNamesWhatIsWrong() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine help = new CommandLine(new EvaluateMain.Cli()).setOut(new PrintWriter(out));
        assertEquals(0, help.execute("--help"));
        for (String option : List.of("--data", "--model", "--videos", "--detector-model", "--t", "--calibration",
                "--normal-data", "--frame-scores-from", "--kafka-config")) {
            assertTrue(out.toString().contains(option), option);
        }
        CommandLine bad = new CommandLine(new EvaluateMain.Cli()).setErr(new PrintWriter(err));
        assertEquals(2, bad.execute("--data", "d", "--model", "m.onnx", "--sigmaa", "2"));
        assertTrue(err.toString().contains("--sigmaa"), err.toString());
        assertEquals(2, new CommandLine(new EvaluateMain.Cli()).setErr(new PrintWriter(new StringWriter()))
                .execute("--data", "d", "--threads", "two"));
    }
}
