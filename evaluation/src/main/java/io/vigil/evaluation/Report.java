package io.vigil.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.ThresholdCalibration;
import io.vigil.evaluation.metrics.RocAuc;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Writes report.md, report.json, roc.png and one timeline-<video>.png per video (JFreeChart). */
public final class Report {

    /** report.json's per-video frame scores, which {@code --against} reads back. */
    private static final String FRAME_SCORES = "frameScores";

    private Report() {
    }

    /** The event thresholds the normal video calls for under a false-alarm budget ({@link ThresholdCalibration}). */
    public record Thresholds(ThresholdCalibration.Choice choice, double eventsPerDay) {
    }

    /**
     * @param falseAlarms the events on normal video the model did not train on, or null when none was given
     * @param calledFor the thresholds that normal video calls for, or null
     */
    public static void write(Path dir, String title, Map<String, String> setup, Evaluation e,
            List<Datasets.LabelledVideo> videos, List<OfflinePipeline.VideoResult> results, OperatorView operator,
            OperatorView falseAlarms, Thresholds calledFor) throws IOException {
        Files.createDirectories(dir);
        rocPlot(dir.resolve("roc.png"), videos, results);
        for (int i = 0; i < videos.size(); i++) {
            timelinePlot(dir.resolve("timeline-" + videos.get(i).id() + ".png"), videos.get(i), results.get(i));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", title);
        json.put("setup", setup);
        json.put("evaluation", e);
        List<Map<String, Object>> perVideo = new ArrayList<>();
        for (OfflinePipeline.VideoResult r : results) {
            perVideo.add(Map.of("id", r.id(), "detections", r.detections(), "sequences", r.sequences(), "seconds", r.seconds(),
                    FRAME_SCORES, r.frameScores().get(OfflinePipeline.ALL)));
        }
        json.put("videos", perVideo);
        json.put("operator", operator);
        if (falseAlarms != null) {
            json.put("normalVideo", Map.of("events", falseAlarms.events(), "frames", falseAlarms.frames(), "hours",
                    falseAlarms.hours(), "peakScore", falseAlarms.peakScore()));
        }
        if (calledFor != null) {
            json.put("thresholdsCalledFor", Map.of("open", calledFor.choice().open(), "close", calledFor.choice().close(),
                    "basis", calledFor.choice().basis(calledFor.eventsPerDay())));
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), json);
        Files.writeString(dir.resolve("report.md"), markdown(title, setup, e, videos, results)
                + operatorMarkdown(operator, falseAlarms, calledFor));
    }

    /** The frame scores of each video in a report.json that {@link #write} wrote, in its order. */
    public static List<float[]> frameScores(Path reportJson) throws IOException {
        List<float[]> videos = new ArrayList<>();
        for (JsonNode v : new ObjectMapper().readTree(reportJson.toFile()).path("videos")) {
            JsonNode frames = v.path(FRAME_SCORES);
            float[] scores = new float[frames.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) frames.get(i).asDouble();
            }
            videos.add(scores);
        }
        return videos;
    }

    /**
     * objects.csv: every scored object of the test and the normal videos, one row each (video, set, middle frame, box,
     * score, each task's raw score), so that cues can be studied without running the chain again.
     */
    public static void objectTable(Path file, List<OfflinePipeline.VideoResult> test, List<OfflinePipeline.VideoResult> normal)
            throws IOException {
        StringBuilder csv = new StringBuilder("video,set,frame,x1,y1,x2,y2,score");
        for (SsmtlScorer.Task t : SsmtlScorer.Task.values()) {
            csv.append(',').append(t.output);
        }
        csv.append('\n');
        for (var set : List.of(Map.entry("test", test), Map.entry("normal", normal))) {
            for (OfflinePipeline.VideoResult r : set.getValue()) {
                for (OfflinePipeline.ScoredObject o : r.objects()) {
                    var g = o.prediction().region();
                    csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.1f,%.1f,%.1f,%.1f,%.5f", r.id(), set.getKey(), g.frame(),
                            g.x1(), g.y1(), g.x2(), g.y2(), o.prediction().score()));
                    for (SsmtlScorer.Task t : SsmtlScorer.Task.values()) {
                        csv.append(String.format(Locale.ROOT, ",%.6g", o.tasks().raw(t)));
                    }
                    csv.append('\n');
                }
            }
        }
        Files.writeString(file, csv);
    }

    /** folds.md and folds.json: the leave-one-video-out report ({@link CrossValidation}), appended to report.md. */
    public static void folds(Path dir, CrossValidation folds) throws IOException {
        appendSection(dir, "folds.md", folds.markdown());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("folds.json").toFile(), folds);
    }

    /** A section of its own file, also appended to report.md. */
    static void appendSection(Path dir, String file, String md) throws IOException {
        Files.writeString(dir.resolve(file), md);
        Files.writeString(dir.resolve("report.md"), "\n" + md, java.nio.file.StandardOpenOption.APPEND);
    }

    static String markdown(String title, Map<String, String> setup, Evaluation e, List<Datasets.LabelledVideo> videos,
            List<OfflinePipeline.VideoResult> results) {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        setup.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append(String.format(Locale.ROOT, "%n%d videos, %d frames (%d anomalous), %d scored objects.%n%n", e.videos(),
                e.frames(), e.anomalousFrames(), e.objects()));
        md.append("| score | frame AUC micro | frame AUC macro | object AUC |\n|---|---|---|---|\n");
        for (String variant : e.microAuc().keySet()) {
            String name = variant.equals(OfflinePipeline.ALL) ? "**the model's cues** (the headline)" : variant;
            Double objects = e.objectAuc().get(variant);
            md.append(String.format(Locale.ROOT, "| %s | %.1f %% | %.1f %% | %s |%n", name, 100 * e.microAuc().get(variant),
                    100 * e.macroAuc().get(variant), objects == null ? "" : String.format(Locale.ROOT, "%.1f %%", 100 * objects)));
        }
        if (!e.objectAuc().isEmpty()) {
            md.append("\nObject AUC: the test videos' scored objects, anomalous where the box overlaps a ground-truth region "
                    + "of its frame by RBDC's IoU (0.1). A score that ranks objects far better than frames loses at the frame: "
                    + "a frame scores as its highest object, so normal objects as high as anomalous ones decide it.\n");
        }
        if (e.rbdc() != null) {
            md.append(String.format(Locale.ROOT, "%nRBDC %.1f %%, TBDC %.1f %% (all tasks; regions = scored object boxes).%n",
                    100 * e.rbdc(), 100 * e.tbdc()));
        }
        md.append(String.format(Locale.ROOT, "%nPublished evaluation protocol (each video's scores min-max normalised "
                + "first; **offline only**, a stream cannot know a video's range): micro %.1f %%.%n",
                100 * e.publishedProtocolMicroAuc()));
        md.append("\n| video | frames | anomalous | objects | frame AUC (dummy-padded) | seconds |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < videos.size(); i++) {
            Datasets.LabelledVideo v = videos.get(i);
            int anomalous = 0;
            for (boolean a : v.labels()) {
                anomalous += a ? 1 : 0;
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f %% | %.1f |%n", v.id(), v.labels().length, anomalous,
                    results.get(i).sequences(), 100 * e.videoAuc().get(v.id()), results.get(i).seconds()));
        }
        md.append("\n![ROC](roc.png)\n\n");
        for (Datasets.LabelledVideo v : videos) {
            md.append("![video ").append(v.id()).append("](timeline-").append(v.id()).append(".png)\n");
        }
        return md.toString();
    }

    static String operatorMarkdown(OperatorView o, OperatorView normal, Thresholds calledFor) {
        StringBuilder md = new StringBuilder("\n## What an operator gets (the alert-sink's default event rules)\n\n");
        md.append(String.format(Locale.ROOT, "%d of %d labelled anomalies opened an event%s; %d of %d events covered no "
                + "anomalous frame (false alarms) in %.1f minutes of test video.%n", o.covered(), o.spans().size(),
                o.covered() == 0 ? "" : String.format(Locale.ROOT, ": the event starts a median of %.1f frames after the "
                        + "anomaly's first frame, and is announced a median of %.1f frames after it (the sequence's t and "
                        + "the smoothing's look-ahead included)", o.medianStartDelay(), o.medianAnnounceDelay()),
                o.falseAlarms(), o.events(), o.hours() * 60));
        if (normal != null) {
            md.append(String.format(Locale.ROOT, "On %.1f minutes of normal video: %d events, %.1f false alarms per hour; "
                    + "its highest smoothed frame score is %.2f (an open threshold above it raises none there).%n",
                    normal.hours() * 60, normal.events(), normal.events() / normal.hours(), normal.peakScore()));
        }
        if (calledFor != null) {
            md.append(String.format(Locale.ROOT, "The event thresholds this normal video calls for, as the trainer sets a "
                    + "camera's: open %.3f, close %.3f (%s).%n", calledFor.choice().open(), calledFor.choice().close(),
                    calledFor.choice().basis(calledFor.eventsPerDay())));
        }
        md.append("\n| video | anomalous frames | event starts after (frames) | announced after (frames) |\n|---|---|---|---|\n");
        for (OperatorView.Span s : o.spans()) {
            md.append(String.format(Locale.ROOT, "| %s | %d..%d | %s | %s |%n", s.video(), s.first(), s.last(),
                    s.covered() ? Integer.toString(s.startDelay()) : "**missed**",
                    s.covered() ? Integer.toString(s.announceDelay()) : ""));
        }
        return md.toString();
    }

    private static void rocPlot(Path file, List<Datasets.LabelledVideo> videos, List<OfflinePipeline.VideoResult> results)
            throws IOException {
        int n = videos.stream().mapToInt(v -> v.labels().length).sum();
        float[] s = new float[n];
        boolean[] a = new boolean[n];
        int k = 0;
        for (int i = 0; i < videos.size(); i++) {
            float[] scores = results.get(i).frameScores().get(OfflinePipeline.ALL);
            System.arraycopy(scores, 0, s, k, scores.length);
            System.arraycopy(videos.get(i).labels(), 0, a, k, scores.length);
            k += scores.length;
        }
        XYSeries roc = new XYSeries("all frames (micro)");
        for (double[] p : RocAuc.curve(s, a)) {
            roc.add(p[0], p[1]);
        }
        XYSeries chance = new XYSeries("chance");
        chance.add(0, 0);
        chance.add(1, 1);
        XYSeriesCollection data = new XYSeriesCollection(roc);
        data.addSeries(chance);
        JFreeChart chart = ChartFactory.createXYLineChart("Frame-level ROC", "false positive rate", "true positive rate", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().getRenderer().setSeriesPaint(1, Color.GRAY);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 640, 560);
    }

    private static void timelinePlot(Path file, Datasets.LabelledVideo video, OfflinePipeline.VideoResult r) throws IOException {
        XYSeries smoothed = new XYSeries("smoothed frame score");
        XYSeries raw = new XYSeries("raw frame score");
        float[] s = r.frameScores().get(OfflinePipeline.ALL);
        for (int f = 0; f < s.length; f++) {
            smoothed.add(f, s[f]);
            raw.add(f, r.rawFrameScores().get(OfflinePipeline.ALL)[f]);
        }
        XYSeriesCollection data = new XYSeriesCollection(smoothed);
        data.addSeries(raw);
        JFreeChart chart = ChartFactory.createXYLineChart("Video " + video.id(), "frame", "anomaly score", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.getRenderer().setSeriesPaint(0, new Color(0x2f, 0x6f, 0xdb));
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(2f));
        plot.getRenderer().setSeriesPaint(1, new Color(150, 150, 150));
        boolean[] labels = video.labels();
        for (int f = 0; f < labels.length; f++) {
            if (labels[f]) {
                int start = f;
                while (f + 1 < labels.length && labels[f + 1]) {
                    f++;
                }
                IntervalMarker m = new IntervalMarker(start - 0.5, f + 0.5, new Color(217, 58, 58, 50));
                m.setLabel("ground truth");
                plot.addDomainMarker(m);
            }
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 320);
    }
}
