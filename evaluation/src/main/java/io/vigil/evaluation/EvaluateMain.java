package io.vigil.evaluation;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.Calibrator;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.scoring.ThresholdCalibration;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.evaluation.metrics.RegionTrackDetection;
import io.vigil.kafka.KafkaClientConfig;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.onnx.Device;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The offline evaluator:
 * <pre>
 * java -jar evaluation/target/vigil-evaluation.jar --data ../shared/datasets/ucsd-ped2 [--videos 01,02] \
 *   --model models/ssmtl-ped2-shallow-narrow.onnx --detector yolox \
 *   --detector-model ../shared/models/yolox-nano-coco/yolox_nano.onnx --out docs/results/ped2
 * </pre>
 * {@code --help} lists the options; their defaults are the services' own, so the numbers are those of the streaming
 * chain. With
 * {@code --frame-scores-from host:port [--camera-prefix P] [--kafka-config F]} it evaluates what a deployment wrote to
 * vigil.frame-scores and vigil.object-scores for cameras named P + video id, instead of running the chain.
 */
public final class EvaluateMain {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private static List<String> list(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).toList();
    }

    /** The command line, for picocli; the defaults are the services' own, so the numbers are the streaming chain's. */
    @Command(name = "vigil-evaluation", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = "Frame AUC (micro, macro), RBDC and TBDC of the chain on a labelled data set, and what an "
                    + "operator gets; writes report.md, report.json and plots.")
    static final class Cli implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return run(this);
        }

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "the data set (Vigil's, UCSD's or "
                + "frame-label layout)")
        Path data;
        @Option(names = "--videos", paramLabel = "LIST", description = "test videos, e.g. 01,02 (default: all)")
        String videos = "";
        @Option(names = "--model", required = true, paramLabel = "FILE", description = "the SSMTL model")
        Path model;
        @Mixin
        DetectorOptions detector = new DetectorOptions();
        @Option(names = "--t", paramLabel = "N", description = "sequence half-length (default: the model's; another is refused)")
        Integer t;
        @Option(names = "--calibration", paramLabel = "MODE", description = "surprise, zscore, p99 or none "
                + "(default: ${DEFAULT-VALUE})")
        String calibration = TaskCalibration.DEFAULT_MODE.toLowerCase(Locale.ROOT);
        @Option(names = "--frame-aggregation", paramLabel = "A", description = "crowd_adjusted or maximum (default: "
                + "${DEFAULT-VALUE})")
        String frameAggregation = FrameScorer.Aggregation.DEFAULT.toLowerCase(Locale.ROOT);
        @Option(names = "--open-threshold", paramLabel = "S", description = "events open at this smoothed frame score "
                + "(default: the alert-sink's, ${DEFAULT-VALUE}; a camera's model may have its own)")
        float openThreshold = Float.parseFloat(EventDetector.Settings.OPEN_THRESHOLD);
        @Option(names = "--close-threshold", paramLabel = "S", description = "default: ${DEFAULT-VALUE}")
        float closeThreshold = Float.parseFloat(EventDetector.Settings.CLOSE_THRESHOLD);
        @Option(names = "--sigma", paramLabel = "FRAMES", description = "Gaussian smoothing (default: ${DEFAULT-VALUE})")
        double sigma = Double.parseDouble(AlertTimeline.Settings.SIGMA);
        @Option(names = "--max-lookahead", paramLabel = "FRAMES", description = "default: ${DEFAULT-VALUE}")
        int maxLookahead = Integer.parseInt(AlertTimeline.Settings.MAX_LOOKAHEAD);
        @Option(names = "--threads", paramLabel = "N", description = "default: ${DEFAULT-VALUE}")
        int threads = 2;
        @Option(names = "--out", paramLabel = "DIR", description = "default: ${DEFAULT-VALUE}")
        Path out = Path.of("evaluation-report");
        @Option(names = "--normal-data", paramLabel = "DIR", description = "normal video the model did not train on, "
                + "for false alarms per hour")
        Path normalData;
        @Option(names = "--normal-videos", paramLabel = "LIST", description = "e.g. 14,15,16 (default: all)")
        String normalVideos = "";
        @Option(names = "--events-per-day", paramLabel = "N", description = "false-alarm budget for the event thresholds "
                + "the normal video calls for, as the trainer sets a camera's (default: ${DEFAULT-VALUE})")
        double eventsPerDay = 1;
        @Option(names = "--folds", arity = "0..1", fallbackValue = "true", description = "leave-one-video-out: each "
                + "component's effect on the video held out, and on normal video (--normal-data) whether scores follow "
                + "the crowd")
        boolean folds;
        @Option(names = "--against", paramLabel = "REPORT", description = "another run's report.json on the same "
                + "videos (e.g. the model before retraining): this run's frame scores against its, fold by fold")
        Path against;
        @Option(names = "--sigmas", split = ",", paramLabel = "LIST", description = "smoothing candidates, e.g. 3,5,8: "
                + "each at the thresholds the normal video (--normal-data) calls for, the anomalies it opens; look-ahead "
                + "3 sigma within --max-lookahead, the latency budget")
        List<Double> sigmas = List.of();
        @Option(names = "--fps", paramLabel = "F", description = "the videos' frame rate (default: ${DEFAULT-VALUE}, "
                + "UCSD Ped2's)")
        double fps = 10;
        @Option(names = "--frame-scores-from", paramLabel = "HOST:PORT", description = "evaluate what a running "
                + "deployment wrote to vigil.frame-scores instead of running the chain")
        String frameScoresFrom;
        @Option(names = "--camera-prefix", paramLabel = "P", description = "cameras named P + video id")
        String cameraPrefix = "";
        @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings for a secured broker")
        Path kafkaConfig;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }

    /** Runs with {@code options} (as on the command line: {@code "--data" -> "dir"}, ...); returns the exit code. */
    public static int run(Map<String, String> options) throws Exception {
        List<String> args = new ArrayList<>();
        options.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        Cli c = new Cli();
        new CommandLine(c).parseArgs(args.toArray(String[]::new));
        return run(c);
    }

    static int run(Cli c) throws Exception {
        List<String> only = list(c.videos);
        List<Datasets.LabelledVideo> videos = Datasets.open(c.data, only);
        say("%d videos from %s", videos.size(), c.data);
        // Normal video the model did not train on (e.g. held-out training videos): every event there is a false alarm.
        List<Datasets.LabelledVideo> normal = c.normalData != null ? Datasets.normal(c.normalData, list(c.normalVideos))
                : List.of();
        if (c.folds && (normal.isEmpty() || c.frameScoresFrom != null || videos.size() < 2)) {
            throw new CommandLine.ParameterException(new CommandLine(c), "--folds runs the chain on at least two labelled "
                    + "videos and needs --normal-data: the cue sets' scales and the crowd check come from normal video");
        }
        if (!c.sigmas.isEmpty() && (normal.isEmpty() || c.frameScoresFrom != null
                || c.sigmas.stream().anyMatch(s -> !(s >= 0)))) {
            throw new CommandLine.ParameterException(new CommandLine(c), "--sigmas (each >= 0) runs the chain and needs "
                    + "--normal-data: each candidate's thresholds come from normal video");
        }
        AlertTimeline.Settings timeline = AlertTimeline.Settings.defaults().withSmoothing(c.sigma, c.maxLookahead)
                .withAggregation(FrameScorer.Aggregation.valueOf(c.frameAggregation.toUpperCase(Locale.ROOT)))
                .withEvents(EventDetector.Settings.defaults().withThresholds(c.openThreshold, c.closeThreshold));
        TaskCalibration.Mode calibration = TaskCalibration.Mode.valueOf(c.calibration.toUpperCase(Locale.ROOT));
        // Sequences as the model takes them; an explicit --t must agree with it.
        ModelContract contract = c.frameScoresFrom != null && !java.nio.file.Files.isRegularFile(c.model) ? null
                : ModelContract.read(c.model);
        int t = c.t != null ? c.t : contract == null ? Integer.parseInt(SequenceSettings.DEFAULT_T) : contract.t();
        if (contract != null) {
            contract.requireSequences(t, contract.cropSize(), "the evaluator (--t)", c.model.toString());
        }
        Scored scored;
        if (c.frameScoresFrom != null) {
            say("reading the frame and object scores of cameras %s<video> from %s", c.cameraPrefix, c.frameScoresFrom);
            scored = new Scored(BrokerScores.read(KafkaClientConfig.fromFile(c.frameScoresFrom, c.kafkaConfig),
                    c.cameraPrefix, videos), List.of(), null,
                    contract == null ? Integer.parseInt(SequenceSettings.DEFAULT_CROP_SIZE) : contract.cropSize());
        } else {
            scored = runChain(c, videos, normal, timeline, calibration, t);
        }
        List<RegionTrackDetection.Track> tracks = tracks(videos);
        Evaluation e = Evaluation.of(videos, scored.results(), tracks);
        Map<String, String> setup = new LinkedHashMap<>();
        setup.put("data", c.data + (only.isEmpty() ? "" : " videos " + String.join(",", only)));
        setup.put("model", c.model.toString());
        setup.put("detector", c.detector.describe());
        setup.put("sequences", "t=" + t + " (" + (2 * t + 1) + " crops of " + scored.cropSize() + " px)");
        setup.put("scores", "calibration " + calibration.name().toLowerCase(Locale.ROOT) + ", frame score = "
                + (timeline.aggregation() == FrameScorer.Aggregation.MAXIMUM ? "max of the object-score map"
                        : "how rare the frame's highest object score is among as many normal objects")
                + ", Gaussian sigma " + c.sigma + " frames (look-ahead " + timeline.lookahead() + " frames, at most "
                + c.maxLookahead + ")");
        setup.put("events", String.format(Locale.ROOT, "open at %.3f, close at %.3f", c.openThreshold, c.closeThreshold));
        setup.put("ground-truth tracks", tracks.isEmpty() ? "none (no pixel masks)" : tracks.size() + " (mask components)");
        report(c, setup, e, videos, normal, scored, timeline);
        say("frame AUC micro %.2f %%, macro %.2f %%%s; report in %s", 100 * e.microAuc().get(OfflinePipeline.ALL),
                100 * e.macroAuc().get(OfflinePipeline.ALL), e.rbdc() == null ? ""
                        : String.format(Locale.ROOT, ", RBDC %.2f %%, TBDC %.2f %%", 100 * e.rbdc(), 100 * e.tbdc()),
                c.out.resolve("report.md"));
        return 0;
    }

    /** The labelled and the normal videos' results, the components to judge (null: no --folds), the crop size. */
    private record Scored(List<OfflinePipeline.VideoResult> results, List<OfflinePipeline.VideoResult> normalResults,
            CrossValidation.Plan plan, int cropSize) {
    }

    /** The services' classes on every video, offline. */
    private static Scored runChain(Cli c, List<Datasets.LabelledVideo> videos, List<Datasets.LabelledVideo> normal,
            AlertTimeline.Settings timeline, TaskCalibration.Mode calibration, int t) throws Exception {
        DetectorSpec spec = c.detector.spec(Device.CPU, c.threads);
        List<OfflinePipeline.VideoResult> results = new ArrayList<>();
        List<OfflinePipeline.VideoResult> normalResults = new ArrayList<>();
        try (FrameDetector detector = spec.frameDetector(spec.create(), c.detector.filter(), new ImageCodec());
                OnnxModel model = OnnxSessionFactory.open(c.model, OnnxSessionFactory.Options.cpu(c.threads))) {
            SsmtlScorer scorer = new SsmtlScorer(model, EnumSet.allOf(SsmtlScorer.Task.class), calibration);
            OfflinePipeline pipeline = new OfflinePipeline(detector,
                    new SequenceBuilder(SequenceSettings.paper().withT(t).withCropSize(scorer.cropSize())), scorer,
                    timeline, 8);
            CrossValidation.Plan plan = null;
            if (c.folds) {
                pipeline = pipeline.remembering(); // the normal video runs twice: detected and scored once
                plan = foldPlan(pipeline, normal, scorer, timeline);
                pipeline = pipeline.withVariants(plan.variants());
            }
            for (int i = 0; i < videos.size(); i++) {
                say("[%d/%d] video %s (%d frames)", i + 1, videos.size(), videos.get(i).id(), videos.get(i).frames().size());
                results.add(pipeline.run(videos.get(i), m -> say("%s", m)));
            }
            for (Datasets.LabelledVideo v : normal) {
                say("normal video %s (%d frames), for false alarms", v.id(), v.frames().size());
                normalResults.add(pipeline.run(v, m -> say("%s", m)));
            }
            return new Scored(results, normalResults, plan, scorer.cropSize());
        }
    }

    /** The ground truth's region tracks, from the videos' pixel masks where they have them. */
    private static List<RegionTrackDetection.Track> tracks(List<Datasets.LabelledVideo> videos) throws java.io.IOException {
        List<RegionTrackDetection.Track> tracks = new ArrayList<>();
        ImageCodec codec = new ImageCodec();
        for (Datasets.LabelledVideo v : videos) {
            if (v.masks().isPresent()) {
                tracks.addAll(MaskRegions.tracks(v.id(), v.masks().get(), codec));
            }
        }
        return tracks;
    }

    /** The report, what an operator gets, the thresholds the normal video calls for, and the folds. */
    private static void report(Cli c, Map<String, String> setup, Evaluation e, List<Datasets.LabelledVideo> videos,
            List<Datasets.LabelledVideo> normal, Scored scored, AlertTimeline.Settings timeline) throws java.io.IOException {
        OperatorView operator = OperatorView.of(videos, scored.results(), c.fps);
        OperatorView falseAlarms = normal.isEmpty() ? null : OperatorView.of(normal, scored.normalResults(), c.fps);
        ThresholdCalibration.Choice calledFor = null;
        if (falseAlarms != null) {
            setup.put("normal video for false alarms", c.normalData + " " + (c.normalVideos.isBlank() ? "(all)" : c.normalVideos));
            calledFor = ThresholdCalibration.choose(scored.normalResults().stream()
                    .map(r -> r.frameScores().get(OfflinePipeline.ALL)).toList(), c.fps, c.eventsPerDay, timeline.events());
            say("event thresholds this normal video calls for: open %.3f, close %.3f (%s)", calledFor.open(),
                    calledFor.close(), calledFor.basis(c.eventsPerDay));
        }
        Report.write(c.out, "SSMTL evaluation: " + c.data.getFileName(), setup, e, videos, scored.results(), operator,
                falseAlarms, calledFor == null ? null : new Report.Thresholds(calledFor, c.eventsPerDay));
        Report.objectTable(c.out.resolve("objects.csv"), scored.results(), scored.normalResults());
        if (!c.sigmas.isEmpty()) {
            SmoothingChoice smoothing = SmoothingChoice.of(videos, scored.results(), scored.normalResults(), c.sigmas,
                    c.maxLookahead, new CrossValidation.EventBudget(timeline.events(), c.fps, c.eventsPerDay));
            Report.appendSection(c.out, "smoothing.md", smoothing.markdown(c.fps));
            smoothing.candidates().forEach(s -> say("sigma %s (look-ahead %d): open %.4f, %d of %d anomalies opened; "
                    + "against the step before more in %d videos, fewer in %d", s.sigmaText(), s.lookahead(),
                    s.thresholds().open(), s.total(), smoothing.anomalies(), s.videosMore(), s.videosFewer()));
            say("smoothing chosen: sigma %s, look-ahead %d frames", smoothing.choice().sigmaText(),
                    smoothing.choice().lookahead());
        }
        if (c.against != null) {
            List<CrossValidation.Fold> folds = CrossValidation.against(videos, scored.results(),
                    Report.frameScores(c.against));
            Report.appendSection(c.out, "against.md", CrossValidation.againstMarkdown(c.against.toString(), folds));
            say("against %s: helps the held-out video in %d of %d folds", c.against, CrossValidation.helps(folds),
                    folds.size());
        }
        if (scored.plan() != null) {
            CrossValidation folds = CrossValidation.of(videos, scored.results(), scored.normalResults(),
                    scored.plan().components(), new CrossValidation.EventBudget(timeline.events(), c.fps, c.eventsPerDay));
            Report.folds(c.out, folds);
            folds.components().forEach(r -> say("%s: helps the held-out video in %d of %d folds, crowd rho %.2f: %s",
                    r.component().name(), r.helps(), r.folds().size(), r.crowdRho(), r.verdict()));
            folds.opened().forEach(o -> say("%s: opens %d of %d anomalies with it, %d without; more in %d videos, fewer"
                    + " in %d: %s%s", o.component(), o.withOpened(), o.anomalies(), o.withoutOpened(), o.videosMore(),
                    o.videosFewer(), o.verdict(), folds.eventsDecide() ? " (decides)" : ""));
        }
    }

    private static CrossValidation.Plan foldPlan(OfflinePipeline pipeline, List<Datasets.LabelledVideo> normal,
            SsmtlScorer scorer, AlertTimeline.Settings timeline) throws java.io.IOException {
        Calibrator calibrator = new Calibrator();
        for (Datasets.LabelledVideo v : normal) {
            say("normal video %s (%d frames), for the cues' scales", v.id(), v.frames().size());
            calibrator.add(pipeline.run(v, m -> say("%s", m)).objects().stream().map(OfflinePipeline.ScoredObject::tasks)
                    .toList());
        }
        return CrossValidation.plan(scorer, calibrator, timeline);
    }

    private static void say(String format, Object... args) {
        System.out.println(LocalTime.now().format(TIME) + " vigil-evaluation: " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private EvaluateMain() {
    }
}
