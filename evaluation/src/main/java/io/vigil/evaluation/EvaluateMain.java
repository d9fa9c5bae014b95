package io.vigil.evaluation;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.detect.DetectionFilter;
import io.vigil.common.detect.DetectorSpec;
import io.vigil.common.detect.MotionDetector;
import io.vigil.common.detect.FrameDetector;
import io.vigil.common.eval.RegionTrackDetection;
import io.vigil.common.image.ImageCodec;
import io.vigil.common.onnx.Device;
import io.vigil.common.onnx.OnnxModel;
import io.vigil.common.onnx.OnnxSessionFactory;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
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

/**
 * The offline evaluator:
 * <pre>
 * java -jar evaluation/target/vigil-evaluation.jar --data ../shared/datasets/ucsd-ped2 [--videos 01,02] \
 *   --model models/ssmtl-ped2-shallow-narrow.onnx --detector yolox \
 *   --detector-model ../shared/models/yolox-nano-coco/yolox_nano.onnx --out docs/results/ped2
 * </pre>
 * Options with defaults: --detector-threshold 0.3, --class-thresholds person=0.5, --t (the model's),
 * --calibration surprise, --sigma 3, --max-lookahead 9,
 * --threads 2 (the services' defaults, so the numbers are those of the streaming chain). With
 * {@code --frame-scores-from host:port [--camera-prefix P] [--kafka-config F]} it evaluates what a deployment wrote to
 * vigil.frame-scores and vigil.object-scores for cameras named P + video id, instead of running the chain.
 */
public final class EvaluateMain {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private static List<String> list(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).toList();
    }

    private static String classThresholds(Map<String, Float> thresholds) {
        return String.join(",", thresholds.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** The options' defaults: the services' own, so the numbers are those of the streaming chain. */
    static Map<String, String> defaults() {
        return Map.ofEntries(Map.entry("--detector", "yolox"), Map.entry("--detector-threshold", DetectionFilter.DEFAULT_THRESHOLD),
                Map.entry("--class-thresholds", classThresholds(DetectionFilter.DEFAULT_CLASS_THRESHOLDS)), 
                Map.entry("--calibration", TaskCalibration.DEFAULT_MODE.toLowerCase(Locale.ROOT)), Map.entry("--sigma", "3"),
                Map.entry("--max-lookahead", "9"), Map.entry("--threads", "2"), Map.entry("--videos", ""),
                Map.entry("--out", "evaluation-report"), Map.entry("--fps", "10"), // UCSD Ped2 was filmed at 10 frames/s
                Map.entry("--add-moving-objects", "false"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected " + args[i]);
            }
            o.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0 || !o.containsKey("--data") || !o.containsKey("--model")) {
            usage("--data and --model are required");
        }
        System.exit(run(o));
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: --data <data set> --model <ssmtl.onnx> [--videos 01,02] [--detector yolox|yolov3|"
                + "ultralytics|motion] [--detector-model F] [--detector-threshold 0.3] [--class-thresholds person=0.5] "
                + "[--add-moving-objects true] [--t N: the model's] [--calibration surprise|zscore|p99|none] "
                + "[--sigma 3] [--max-lookahead 9] [--threads 2] [--out dir] [--normal-data DIR [--normal-videos 14,15,16]] "
                + "[--fps 10] [--frame-scores-from host:port [--camera-prefix P] [--kafka-config client.properties]]");
        System.exit(2);
    }

    /**
     * The broker to read from, with the client settings of {@code --kafka-config} (a properties file as for Kafka's
     * own tools: security.protocol, sasl.*, ssl.*) for a secured broker.
     */
    public static Map<String, Object> kafkaClientConfig(Map<String, String> o) throws java.io.IOException {
        Map<String, Object> config = new java.util.HashMap<>();
        if (o.containsKey("--kafka-config")) {
            java.util.Properties p = new java.util.Properties();
            try (var reader = java.nio.file.Files.newBufferedReader(Path.of(o.get("--kafka-config")))) {
                p.load(reader);
            }
            p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k)));
        }
        config.put("bootstrap.servers", o.get("--frame-scores-from"));
        return config;
    }

    /** Runs an evaluation with the options of {@link #main} (all keys present); returns the exit code. */
    /** Runs with {@code options} over {@link #defaults()}; returns the exit code. */
    public static int run(Map<String, String> options) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(defaults());
        o.putAll(options);
        Path data = Path.of(o.get("--data"));
        List<String> only = list(o.get("--videos"));
        List<Datasets.LabelledVideo> videos = Datasets.open(data, only);
        int threads = Integer.parseInt(o.get("--threads"));
        say("%d videos from %s", videos.size(), data);
        DetectorSpec.Backend backend = DetectorSpec.Backend.parse(o.get("--detector"));
        Path detectorModel = backend == DetectorSpec.Backend.MOTION ? null : Path.of(o.get("--detector-model"));
        DetectorSpec spec = new DetectorSpec(backend, detectorModel, Device.CPU, threads, 416, 0.1f, 0.45f, 8, true,
                MotionDetector.Settings.defaults(), Boolean.parseBoolean(o.get("--add-moving-objects")));
        AlertTimeline.Settings timeline = new AlertTimeline.Settings(0, Double.parseDouble(o.get("--sigma")),
                Integer.parseInt(o.get("--max-lookahead")), 30, EventDetector.Settings.defaults());
        TaskCalibration.Mode calibration = TaskCalibration.Mode.valueOf(o.get("--calibration").toUpperCase(Locale.ROOT));
        // Sequences as the model takes them; an explicit --t must agree with it.
        Path modelFile = Path.of(o.get("--model"));
        ModelContract contract = o.containsKey("--frame-scores-from") && !java.nio.file.Files.isRegularFile(modelFile) ? null
                : ModelContract.read(modelFile);
        int t = o.containsKey("--t") ? Integer.parseInt(o.get("--t")) : contract == null
                ? Integer.parseInt(SequenceSettings.DEFAULT_T) : contract.t();
        if (contract != null) {
            contract.requireSequences(t, contract.cropSize(), "the evaluator (--t)", modelFile.toString());
        }
        List<OfflinePipeline.VideoResult> results = new ArrayList<>();
        // Normal video the model did not train on (e.g. held-out training videos): every event there is a false alarm.
        List<Datasets.LabelledVideo> normal = o.containsKey("--normal-data") ? Datasets.normal(Path.of(o.get("--normal-data")),
                list(o.getOrDefault("--normal-videos", ""))) : List.of();
        List<OfflinePipeline.VideoResult> normalResults = new ArrayList<>();
        int cropSize = 64;
        if (o.containsKey("--frame-scores-from")) {
            say("reading the frame and object scores of cameras %s<video> from %s", o.getOrDefault("--camera-prefix", ""),
                    o.get("--frame-scores-from"));
            results.addAll(BrokerScores.read(kafkaClientConfig(o), o.getOrDefault("--camera-prefix", ""), videos));
        } else {
            // As the object-detector's defaults: confidence thresholds, no class filter, boxes of at least 4 px.
            DetectionFilter filter = DetectionFilter.of(Float.parseFloat(o.get("--detector-threshold")),
                    DetectionFilter.parseClassThresholds(o.get("--class-thresholds")), java.util.Set.of(), 4f);
            try (FrameDetector detector = spec.frameDetector(spec.create(), filter, new ImageCodec());
                    OnnxModel model = OnnxSessionFactory.open(modelFile, OnnxSessionFactory.Options.cpu(threads))) {
                SsmtlScorer scorer = new SsmtlScorer(model, EnumSet.allOf(SsmtlScorer.Task.class), calibration);
                cropSize = scorer.cropSize();
                OfflinePipeline pipeline = new OfflinePipeline(detector,
                        new SequenceBuilder(SequenceSettings.paper().withT(t).withCropSize(scorer.cropSize())), scorer,
                        timeline, 8);
                for (int i = 0; i < videos.size(); i++) {
                    say("[%d/%d] video %s (%d frames)", i + 1, videos.size(), videos.get(i).id(), videos.get(i).frames().size());
                    results.add(pipeline.run(videos.get(i), m -> say("%s", m)));
                }
                for (Datasets.LabelledVideo v : normal) {
                    say("normal video %s (%d frames), for false alarms", v.id(), v.frames().size());
                    normalResults.add(pipeline.run(v, m -> say("%s", m)));
                }
            }
        }
        List<RegionTrackDetection.Track> tracks = new ArrayList<>();
        ImageCodec codec = new ImageCodec();
        for (Datasets.LabelledVideo v : videos) {
            if (v.masks().isPresent()) {
                tracks.addAll(MaskRegions.tracks(v.id(), v.masks().get(), codec));
            }
        }
        Evaluation e = Evaluation.of(videos, results, tracks);
        Map<String, String> setup = new LinkedHashMap<>();
        setup.put("data", data.toString() + (only.isEmpty() ? "" : " videos " + String.join(",", only)));
        setup.put("model", o.get("--model"));
        setup.put("detector", backend.name().toLowerCase(Locale.ROOT) + (detectorModel == null ? "" : " " + detectorModel)
                + ", confidence >= " + o.get("--detector-threshold") + (o.get("--class-thresholds").isBlank() ? ""
                        : " (" + o.get("--class-thresholds") + ")"));
        setup.put("sequences", "t=" + t + " (" + (2 * t + 1) + " crops of " + cropSize + " px)");
        setup.put("scores", "calibration " + calibration.name().toLowerCase(Locale.ROOT) + ", frame score = max of the "
                + "object-score map, Gaussian sigma " + o.get("--sigma") + " frames (look-ahead " + o.get("--max-lookahead") + ")");
        setup.put("ground-truth tracks", tracks.isEmpty() ? "none (no pixel masks)" : tracks.size() + " (mask components)");
        Path out = Path.of(o.get("--out"));
        double fps = Double.parseDouble(o.get("--fps"));
        OperatorView operator = OperatorView.of(videos, results, fps);
        OperatorView falseAlarms = normal.isEmpty() ? null : OperatorView.of(normal, normalResults, fps);
        if (falseAlarms != null) {
            setup.put("normal video for false alarms", o.get("--normal-data") + " " + o.getOrDefault("--normal-videos", "(all)"));
        }
        Report.write(out, "SSMTL evaluation: " + data.getFileName(), setup, e, videos, results, operator, falseAlarms);
        say("frame AUC micro %.2f %%, macro %.2f %%%s; report in %s", 100 * e.microAuc().get(OfflinePipeline.ALL),
                100 * e.macroAuc().get(OfflinePipeline.ALL), e.rbdc() == null ? ""
                        : String.format(Locale.ROOT, ", RBDC %.2f %%, TBDC %.2f %%", 100 * e.rbdc(), 100 * e.tbdc()),
                out.resolve("report.md"));
        return 0;
    }

    private static void say(String format, Object... args) {
        System.out.println(LocalTime.now().format(TIME) + " vigil-evaluation: " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private EvaluateMain() {
    }
}
