package io.vigil.local;

import io.vigil.proto.CameraIds;
import io.vigil.proto.Durations;
import io.vigil.proto.SourceUris;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What the main job was asked for, in groups: the cameras and their source, the detector, learning, how the run
 * ends, and where it lives on this machine. {@link #parse} reads a command line (picocli: {@code --help}, and errors
 * that name the option).
 */
record LocalOptions(Cameras cameras, Detection detection, Learning learning, Run run, Site site) {
    /** Where the pages and APIs listen unless asked otherwise: this machine only. */
    static final String LOOPBACK = "127.0.0.1";

    /** The source, the camera id, and {@code count} virtual cameras showing it, each at most {@code fps} (0: no cap). */
    record Cameras(String source, String camera, int count, double fps, boolean loop) {
        /** One camera showing {@code source} as fast as it is read, once. */
        static Cameras of(String source, String camera) {
            return new Cameras(source, camera, 1, 0, false);
        }

        Cameras withSource(String other) {
            return new Cameras(other, camera, count, fps, loop);
        }

        /** The camera ids: the camera, or camera-1..camera-N for N virtual cameras showing the same source. */
        List<String> ids() {
            if (count <= 1) {
                return List.of(camera);
            }
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                ids.add(camera + "-" + i);
            }
            return ids;
        }
    }

    /** The detector's kind (motion, yolox, yolov3, ultralytics) and its ONNX model. */
    record Detection(String detector, Optional<Path> model) {
    }

    /** How long the first camera shows its normal before its model is trained (null: no learning); its epochs. */
    record Learning(Duration time, int epochs) {
        static final Learning NONE = new Learning(null, CameraLearning.DEFAULT_EPOCHS);
    }

    /**
     * When the run ends ({@code once}: with its sources; else after {@code duration} or Ctrl-C); the checkout it runs;
     * where the sequences are scored.
     */
    record Run(boolean once, Duration duration, Path home, Scoring scoring) {
        /** Scored by the anomaly-scorer. */
        Run(boolean once, Duration duration, Path home) {
            this(once, duration, home, Scoring.SERVICE);
        }
    }

    /**
     * Where sequences are scored: by the anomaly-scorer, from vigil.sequences; or by the sequence-assembler in its own
     * process, so the sequences never reach the broker and no anomaly-scorer runs.
     */
    enum Scoring {
        SERVICE, IN_ASSEMBLER
    }

    /** Where the job lives here: its data (wiped first when fresh), the broker's port, TLS, where the pages listen. */
    record Site(Path dataDir, boolean fresh, int kafkaPort, boolean secure, String listen) {
        /** Data in {@code dataDir}, the broker on {@code kafkaPort} (0: any free port), no TLS, pages on loopback. */
        static Site of(Path dataDir, boolean fresh, int kafkaPort) {
            return new Site(dataDir, fresh, kafkaPort, false, LOOPBACK);
        }

        /** Where per-camera models go: the scorer and the alert-sink read it, a learning run writes it. */
        Path registry() {
            return dataDir.resolve("registry");
        }
    }

    LocalOptions secured() {
        return new LocalOptions(cameras, detection, learning, run,
                new Site(site.dataDir(), site.fresh(), site.kafkaPort(), true, site.listen()));
    }

    LocalOptions withSource(String other) {
        return new LocalOptions(cameras.withSource(other), detection, learning, run, site);
    }

    static final String DEFAULT_CAMERA = "synthetic-1";
    /** The street of the measurements (docs/results.md): its four anomalies each minute, 8 s apart. */
    static final String DEFAULT_SOURCE = "synthetic:?walkers=6&anomalies=fast,backward,erratic,unusual&period=600";

    /** The command line, for picocli: {@code --help}, and errors that name the option. */
    @Command(name = "vigil-local", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = "The main job on one machine: a real Kafka broker, the Vigil services as processes, and a "
                    + "print-out of what flows through the topics. Ctrl-C stops everything.")
    static final class Cli {
        @Parameters(arity = "0..1", paramLabel = "URI", description = "the source, as --source")
        String bareSource;
        @Option(names = "--source", paramLabel = "URI", description = "file, image folder, stream URL or synthetic:?... "
                + "(default: $VIGIL_SOURCE_URI, else a synthetic scene with injected anomalies). A URI with a password "
                + "belongs in that variable or in an @FILE of options, not on the command line, where ps shows it")
        String source;
        @Option(names = "--camera", paramLabel = "ID", description = "camera id (default: from the source)")
        String camera;
        @Option(names = "--cameras", paramLabel = "N", description = "N virtual cameras showing the source (default: 1)")
        int cameras = 1;
        @Option(names = "--fps", paramLabel = "F", description = "each camera at most F frames/s, like a live camera")
        double fps;
        @Option(names = "--loop", description = "a file or folder plays again when it ends")
        boolean loop;
        @Option(names = "--once", description = "end when every source has ended; frame-ingest's exit code is the job's")
        boolean once;
        @Option(names = "--duration", paramLabel = "TIME",
                description = "stop after this long, e.g. 60s, 5m, 500ms")
        Duration duration;
        @Option(names = "--score-in-assembler", description = "the sequence-assembler scores the sequences it cuts, in "
                + "its own process: they never reach the broker, and no anomaly-scorer runs")
        boolean scoreInAssembler;
        @Option(names = "--detector", paramLabel = "KIND", description = "motion, yolox, yolov3 or ultralytics "
                + "(default: ${DEFAULT-VALUE})")
        String detector = "motion";
        @Option(names = "--model", paramLabel = "FILE", description = "the detector's ONNX model")
        Path model;
        @Option(names = "--kafka-port", paramLabel = "PORT", description = "the broker's port (default: ${DEFAULT-VALUE})")
        int port = 9092;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "broker data and logs (default: ${DEFAULT-VALUE})")
        Path dataDir = Path.of(".vigil");
        @Option(names = "--fresh", description = "wipe the data directory first")
        boolean fresh;
        @Option(names = "--home", paramLabel = "DIR", description = "the Vigil checkout (default: ${DEFAULT-VALUE})")
        Path home = Path.of(".");
        @Option(names = "--secure", description = "SASL_SSL with client certificates, and the page over HTTPS, from a local CA")
        boolean secure;
        @Option(names = "--learn", paramLabel = "TIME", description = "teach the "
                + "(first) camera its normal first: this long of its source without injected anomalies, then its own "
                + "model trained from vigil.frames and registered, then the source as given, e.g. 3m")
        Duration learn;
        @Option(names = "--learn-epochs", paramLabel = "N", description = "epochs of that training (default: "
                + "${DEFAULT-VALUE})")
        int learnEpochs = CameraLearning.DEFAULT_EPOCHS;
        @Option(names = "--listen", paramLabel = "ADDRESS", description = "where the page and the services' APIs listen "
                + "(default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface); health and metrics "
                + "stay on 127.0.0.1")
        String listen = LOOPBACK;
    }

    /** The options of a command line; throws {@link IllegalArgumentException} naming the bad option. */
    static LocalOptions parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** The command line over {@code c}: times like 45s, 90m or 3h, as the other Vigil command lines read them. */
    static CommandLine commandLine(Cli c) {
        return new CommandLine(c).registerConverter(Duration.class, Durations::parse);
    }

    /** As {@link #parse(String[])}, with {@code env} for the source when the command line names none. */
    static LocalOptions parse(String[] args, Map<String, String> env) {
        Cli c = new Cli();
        try {
            commandLine(c).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return options(c, env);
    }

    /** The options of a parsed command line; throws {@link IllegalArgumentException} naming the bad option. */
    static LocalOptions options(Cli c, Map<String, String> env) {
        if (c.fps < 0) {
            throw new IllegalArgumentException("--fps must be >= 0, got " + c.fps);
        }
        if (c.learnEpochs < 1) {
            throw new IllegalArgumentException("--learn-epochs must be >= 1, got " + c.learnEpochs);
        }
        if (c.cameras < 1) {
            throw new IllegalArgumentException("--cameras must be >= 1, got " + c.cameras);
        }
        if (c.source != null && c.bareSource != null) {
            throw new IllegalArgumentException("two sources: --source " + SourceUris.withoutCredentials(c.source) + " and "
                    + SourceUris.withoutCredentials(c.bareSource));
        }
        String source = c.source != null ? c.source : c.bareSource != null ? c.bareSource
                : env.getOrDefault(LocalServices.SOURCE_URI_VARIABLE, DEFAULT_SOURCE);
        String camera = c.camera != null ? c.camera : source.startsWith("synthetic:") ? DEFAULT_CAMERA : cameraIdFrom(source);
        String problem = CameraIds.problem(camera);
        if (problem != null) {
            throw new IllegalArgumentException("--camera: " + problem);
        }
        return new LocalOptions(new Cameras(source, camera, c.cameras, c.fps, c.loop),
                new Detection(c.detector, Optional.ofNullable(c.model)), new Learning(c.learn, c.learnEpochs),
                new Run(c.once, c.duration, c.home.toAbsolutePath(), c.scoreInAssembler ? Scoring.IN_ASSEMBLER : Scoring.SERVICE),
                new Site(c.dataDir.toAbsolutePath(), c.fresh, c.port, c.secure, c.listen));
    }

    /** A camera id from a path or URL: its last name without extension, safe as a Kafka key and config key. */
    static String cameraIdFrom(String source) {
        String s = source.replaceAll("[?#].*$", "").replaceAll("/+$", "");
        String last = s.substring(s.lastIndexOf('/') + 1);
        int dot = last.lastIndexOf('.');
        String base = dot > 0 ? last.substring(0, dot) : last;
        String id = base.replaceAll("[^A-Za-z0-9_-]", "-");
        return id.isEmpty() ? "camera-1" : "cam-" + id;
    }
}
