package io.vigil.local;

import io.vigil.auth.LoginFiles;
import io.vigil.proto.CameraIds;
import io.vigil.proto.Durations;
import io.vigil.proto.SourceUris;
import io.vigil.proto.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The main job on one machine: a real Kafka broker, the packaged Vigil services as separate processes, and a
 * live print-out of what flows through the topics. Ctrl-C stops everything cleanly; the broker's data stays in
 * {@code --data-dir}, so the next run resumes from committed offsets.
 *
 * <pre>
 * java -jar local/target/vigil-local.jar [--source URI] [--camera ID] [--once] [--duration 60s]
 *                                        [--detector motion|yolox|yolov3|ultralytics] [--model FILE]
 *                                        [--kafka-port 9092] [--data-dir .vigil] [--fresh] [--home DIR]
 *                                        [--cameras N] [--fps F] [--loop] [--secure]
 * </pre>
 * {@code --fps}: every camera publishes at most F frames per second (a file plays like a live camera);
 * {@code --loop}: a file or folder plays again from its start when it ends, with frame indices going on.
 * {@code --secure}: the broker's only client listener is SASL_SSL with client certificates required (a local CA,
 * see {@link LocalSecurity}); every service connects with the settings in {@code <data-dir>/tls/kafka-client.properties};
 * the alert-sink serves its page and API over HTTPS only, with a certificate of the same CA.
 */
public final class VigilLocal {

    static final String DEFAULT_CAMERA = "synthetic-1";
    /** The street of the measurements (docs/results.md): its four anomalies each minute, 8 s apart. */
    static final String DEFAULT_SOURCE = "synthetic:?walkers=6&anomalies=fast,backward,erratic,unusual&period=600";
    static final int INGEST_PORT = 8081;

    /** {@code learn}: how long the first camera shows its normal before its model is trained (null: no learning). */
    record Options(String source, String camera, boolean once, Duration duration, int kafkaPort, Path dataDir,
            boolean fresh, Path home, String detector, java.util.Optional<Path> model, int cameras, boolean secure,
            double fps, boolean loop, Duration learn, int learnEpochs, String listen) {
        /** Where the pages and APIs listen unless asked otherwise: this machine only. */
        static final String LOOPBACK = "127.0.0.1";

        Options(String source, String camera, boolean once, Duration duration, int kafkaPort, Path dataDir, boolean fresh,
                Path home, String detector, java.util.Optional<Path> model) {
            this(source, camera, once, duration, kafkaPort, dataDir, fresh, home, detector, model, 1, false, 0, false, null,
                    CameraLearning.DEFAULT_EPOCHS);
        }

        Options(String source, String camera, boolean once, Duration duration, int kafkaPort, Path dataDir, boolean fresh,
                Path home, String detector, java.util.Optional<Path> model, int cameras, boolean secure, double fps,
                boolean loop, Duration learn, int learnEpochs) {
            this(source, camera, once, duration, kafkaPort, dataDir, fresh, home, detector, model, cameras, secure, fps, loop,
                    learn, learnEpochs, LOOPBACK);
        }

        Options secured() {
            return new Options(source, camera, once, duration, kafkaPort, dataDir, fresh, home, detector, model, cameras, true,
                    fps, loop, learn, learnEpochs, listen);
        }

        Options withSource(String other) {
            return new Options(other, camera, once, duration, kafkaPort, dataDir, fresh, home, detector, model, cameras, secure,
                    fps, loop, learn, learnEpochs, listen);
        }

        /** Where per-camera models go: the scorer and the alert-sink read it, a learning run writes it. */
        Path registry() {
            return dataDir.resolve("registry");
        }

        /** The camera ids: the camera, or camera-1..camera-N for N virtual cameras showing the same source. */
        List<String> cameraIds() {
            if (cameras <= 1) {
                return List.of(camera);
            }
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= cameras; i++) {
                ids.add(camera + "-" + i);
            }
            return ids;
        }
    }

    /** Runs the main job with command-line arguments and returns its exit code (for harnesses; main exits). */
    public static int run(String... args) throws Exception {
        return run(parse(args));
    }

    public static void main(String[] args) throws Exception {
        // Kafka clients in this JVM log through slf4j-simple: keep its INFO chatter out of the flow print-out.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        Cli parsed = new Cli();
        CommandLine cli = commandLine(parsed);
        Options o;
        try {
            if (cli.parseArgs(args).isUsageHelpRequested() || cli.isVersionHelpRequested()) {
                cli.usage(System.out);
                System.exit(0);
            }
            o = options(parsed, System.getenv());
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            System.err.println("vigil-local: " + SourceUris.withoutCredentials(e.getMessage()));
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        System.exit(run(o));
    }

    /**
     * A learning run: the camera's model learnt from its normal footage and registered, then frame-ingest again on the
     * whole source, anomalies included (the last service). False when the learning failed.
     */
    private static boolean learnThenIngestAll(JobProcesses job, Options o, LocalKafkaBroker broker,
            java.util.Optional<LocalSecurity> security, Path logs, List<ServiceProcess> services,
            java.util.concurrent.atomic.AtomicBoolean stopping) throws Exception {
        CameraLearning learning = new CameraLearning(o, broker.bootstrapServers(),
                security.map(LocalSecurity::writeTrainerConfig), logs);
        if (!learning.run(job, services, stopping)) {
            return false;
        }
        List<ServiceSpec> all = services(o, broker.bootstrapServers());
        services.add(startService(job, o, all.get(all.size() - 1), security, logs));
        return true;
    }

    /** Ctrl-C and SIGTERM: stop the services, then the broker, in bounded time (the main thread waits for it). */
    private static Thread stopOnSignal(JobProcesses job, java.util.concurrent.atomic.AtomicBoolean stopping) {
        Thread stopper = new Thread(() -> {
            stopping.set(true);
            job.stop();
        }, "vigil-local-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        return stopper;
    }

    /** Watches every service's liveness on its management port. */
    private static LivenessWatch livenessWatch(List<ServiceSpec> specs) {
        Map<String, Integer> managementPorts = new LinkedHashMap<>();
        specs.forEach(spec -> managementPorts.put(spec.name(), spec.managementPort()));
        return new LivenessWatch(managementPorts, LIVENESS_FAILURES_TO_END);
    }

    /** The broker, with the job's topics, ready for clients; says where tools find it. */
    private static LocalKafkaBroker startBroker(JobProcesses job, Options o, java.util.Optional<LocalSecurity> security)
            throws Exception {
        say("starting Kafka broker (KRaft) in " + o.dataDir().resolve("kafka"));
        LocalKafkaBroker broker = job.start(() -> LocalKafkaBroker.launch(new LocalKafkaBroker.Config(
                o.dataDir().resolve("kafka"), o.kafkaPort(), 0, Topics.DEFAULTS, Duration.ofSeconds(120), security)));
        broker.prepare();
        say("Kafka broker ready at " + broker.bootstrapServers() + (o.secure() ? " (SASL_SSL, client certificates "
                + "required)" : "") + " (pid " + broker.pid() + ", topics " + FlowPrinter.topics() + ")");
        security.ifPresent(s -> say("client settings for tools (kafka-console-consumer --command-config, the "
                + "evaluator's --kafka-config): " + s.writeToolConfig()));
        return broker;
    }

    static int run(Options o) throws Exception {
        if (o.fresh()) {
            deleteRecursively(o.dataDir());
        }
        Path logs = o.dataDir().resolve("logs");
        JobProcesses job = new JobProcesses();
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Thread stopper = stopOnSignal(job, stopping);
        try {
            java.util.Optional<LocalSecurity> security = o.secure()
                    ? java.util.Optional.of(LocalSecurity.createOrLoad(o.dataDir().resolve("tls"))) : java.util.Optional.empty();
            LocalKafkaBroker broker = startBroker(job, o, security);
            LoginFiles login = PageLogin.in(o.dataDir());
            if (login.createIfMissing()) {
                say("created the page's user " + PageLogin.USER + "; its password is in " + login.passwordFile()
                        + " (owner-only); more users: docs/operations.md#security");
            }

            FlowPrinter printer = job.start(() -> new FlowPrinter(broker.clientConfig(), System.out));
            printer.awaitAssignment(Duration.ofSeconds(30));

            if (StreetModel.applies(o)) {
                StreetModel.registerIfAbsent(job, o, logs);
            }
            // Downstream services first, so they are consuming when the first frame arrives. A learning run starts
            // with the camera's normal footage.
            List<ServiceSpec> specs = services(o.learn() == null ? o : o.withSource(CameraLearning.normalSource(o.source())),
                    broker.bootstrapServers());
            List<ServiceProcess> services = new ArrayList<>();
            for (ServiceSpec spec : specs) {
                services.add(startService(job, o, spec, security, logs));
            }
            printer.start();
            if (o.learn() != null && !learnThenIngestAll(job, o, broker, security, logs, services, stopping)) {
                return 1;
            }

            int exit = awaitEnd(o, services, new IngestProbe(INGEST_PORT + MANAGEMENT_PORT_OFFSET),
                    livenessWatch(specs), printer, stopping);
            say("stopping; " + printer.totals());
            return exit;
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                throw e;
            }
            say("stopped while starting (" + e.getMessage() + ")");
            return 1;
        } finally {
            job.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook ran job.stop(), which this call waited for
            }
        }
    }

    private static ServiceProcess startService(JobProcesses job, Options o, ServiceSpec spec,
            java.util.Optional<LocalSecurity> security, Path logs) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(spec.properties());
        // Each service its own Kafka user; the client secrets stay in a file only this user can read, never on a
        // command line.
        security.ifPresent(s -> properties.put("quarkus.config.locations", s.writeServiceConfig(spec.name()).toUri().toString()));
        ServiceProcess p = job.start(() -> ServiceProcess.start(spec.name(),
                o.home().resolve(spec.name() + "/target/quarkus-app/quarkus-run.jar"), properties, spec.environment(),
                logs.resolve(spec.name() + ".log")));
        say(spec.name() + " started (pid " + p.pid() + ", " + spec.summary() + ", health http://localhost:"
                + spec.managementPort() + "/q/health, log " + p.log() + ")");
        return p;
    }

    /** Waits until the job should end (see the README's "How it ends"); returns its exit code. */
    private static int awaitEnd(Options o, List<ServiceProcess> services, IngestProbe probe, LivenessWatch liveness,
            FlowPrinter printer, java.util.concurrent.atomic.AtomicBoolean stopping) throws InterruptedException {
        ServiceProcess ingest = services.get(services.size() - 1);
        long deadline = o.duration() == null ? Long.MAX_VALUE : System.nanoTime() + o.duration().toNanos();
        long nextProbe = System.nanoTime();
        long nextLiveness = System.nanoTime();
        while (System.nanoTime() < deadline && !stopping.get()) {
            ServiceProcess died = services.stream().filter(sp -> sp != ingest && !sp.isAlive()).findFirst().orElse(null);
            if (died != null && !stopping.get()) {
                say(died.name() + " exited with code " + died.waitFor() + "; see " + died.log());
                return 1;
            }
            if (System.nanoTime() >= nextLiveness) {
                nextLiveness = System.nanoTime() + LIVENESS_INTERVAL.toNanos();
                var dead = liveness.check();
                if (dead.isPresent() && !stopping.get()) {
                    String log = services.stream().filter(sp -> sp.name().equals(dead.get().service())).findFirst()
                            .map(sp -> sp.log().toString()).orElse("its log");
                    say(dead.get().service() + " is running but not live (" + dead.get().health() + "); the job ends "
                            + "as a cluster would restart it; see " + log);
                    return 1;
                }
            }
            if (!ingest.isAlive() && !stopping.get()) {
                int exit = ingest.waitFor();
                if (o.once() && exit == 0) {
                    return caughtUp(printer, "all frames published", 0);
                }
                say("frame-ingest exited with code " + exit + "; see " + ingest.log());
                Thread.sleep(1500); // let the printer report the last second
                return exit == 0 ? 1 : exit;
            }
            if (!o.once() && System.nanoTime() >= nextProbe) {
                // Stream mode: frame-ingest keeps running after a file or folder ends; its health says so.
                nextProbe = System.nanoTime() + 1_000_000_000L;
                Map<String, String> states = probe.states(o.cameraIds()).orElse(Map.of());
                if (!states.isEmpty() && IngestProbe.allEnded(states)) {
                    return caughtUp(printer, "every source ended " + states, states.containsValue("FAILED") ? 1 : 0);
                }
            }
            Thread.sleep(200);
        }
        return 0;
    }

    private static int caughtUp(FlowPrinter printer, String why, int exit) throws InterruptedException {
        say(why + "; waiting for the pipeline to catch up");
        printer.awaitCaughtUp(Duration.ofSeconds(2), Duration.ofSeconds(60));
        Thread.sleep(1500); // let the printer report the last second
        return exit;
    }

    /**
     * A service to run: its module name, HTTP port, -D properties, environment variables (secrets, which a command
     * line would show to every user in {@code ps}), and a line for the start-up banner.
     */
    record ServiceSpec(String name, int port, Map<String, String> properties, Map<String, String> environment, String summary) {
        ServiceSpec(String name, int port, Map<String, String> properties, String summary) {
            this(name, port, properties, Map.of(), summary);
        }

        /** The management interface's port: health and metrics. */
        int managementPort() {
            return Integer.parseInt(properties.get("quarkus.management.port"));
        }
    }

    /** How often the job asks every service whether it is live, and after how many DOWN answers in a row it ends. */
    static final Duration LIVENESS_INTERVAL = Duration.ofSeconds(5);
    static final int LIVENESS_FAILURES_TO_END = 3;

    /** A service's management port (health, metrics) is its HTTP port + this, as in each application.properties. */
    static final int MANAGEMENT_PORT_OFFSET = 1000;

    /** The environment variable that hands frame-ingest the source URI, which may hold a camera's password. */
    static final String SOURCE_URI_VARIABLE = "VIGIL_SOURCE_URI";

    /** The services of the main job, in start order; frame-ingest comes last. */
    static List<ServiceSpec> services(Options o, String bootstrap) {
        Map<String, String> detector = common(o, bootstrap, 8082);
        detector.put("vigil.detector.backend", o.detector());
        o.model().ifPresent(m -> detector.put("vigil.detector.model", m.toAbsolutePath().toString()));

        Map<String, String> assembler = common(o, bootstrap, 8083);
        assembler.put("kafka-streams.state.dir", o.dataDir().resolve("state/sequence-assembler").toString());

        Map<String, String> scorer = common(o, bootstrap, 8084);
        String model = o.home().resolve("models/ssmtl-ped2-shallow-narrow.onnx").toString();
        scorer.put("vigil.scorer.model", model);
        scorer.put("vigil.scorer.registry", o.registry().toString());
        assembler.put("vigil.assembler.model", model); // refuses to start if its sequences do not fit the model

        Map<String, String> alerts = common(o, bootstrap, 8085);
        alerts.put("kafka-streams.state.dir", o.dataDir().resolve("state/alert-sink").toString());
        alerts.put("vigil.alerts.registry", o.registry().toString());
        alerts.put("vigil.alerts.registry-refresh", "2s");
        LoginFiles login = PageLogin.in(o.dataDir());
        alerts.putAll(PageLogin.alertSinkProperties(login));
        Map<String, String> alertsEnvironment = new LinkedHashMap<>();
        String page = "http://localhost:8085/";
        if (o.secure()) {
            // HTTPS only, with a certificate of the local CA.
            LocalSecurity security = LocalSecurity.createOrLoad(o.dataDir().resolve("tls"));
            alerts.putAll(security.webServerProperties(8085));
            alertsEnvironment.put(LocalSecurity.WEB_KEYSTORE_PASSWORD_VARIABLE, security.webKeystorePassword());
            page = "https://localhost:8085/ (trust " + security.caCertificate() + ")";
        }

        Map<String, String> ingest = common(o, bootstrap, INGEST_PORT);
        if (!o.cameraIds().contains(DEFAULT_CAMERA)) {
            // frame-ingest's own default camera; this run ingests only the camera asked for.
            ingest.put("vigil.ingest.cameras." + DEFAULT_CAMERA + ".enabled", "false");
        }
        for (String id : o.cameraIds()) {
            ingest.put("vigil.ingest.cameras." + id + ".uri", "${" + SOURCE_URI_VARIABLE + "}"); // resolved by Quarkus
            if (o.fps() > 0) {
                ingest.put("vigil.ingest.cameras." + id + ".fps-cap", Double.toString(o.fps()));
            }
            if (o.loop()) {
                ingest.put("vigil.ingest.cameras." + id + ".loop", "true");
            }
        }
        ingest.put("vigil.ingest.mode", o.once() ? "once" : "stream");
        return List.of(
                new ServiceSpec("object-detector", 8082, detector, "detector " + o.detector()
                        + o.model().map(m -> " " + m.getFileName()).orElse("")),
                new ServiceSpec("sequence-assembler", 8083, assembler, "crops checked against the model's t and size"),
                new ServiceSpec("anomaly-scorer", 8084, scorer, "model models/ssmtl-ped2-shallow-narrow.onnx, per-camera models "
                        + "from " + o.registry()),
                new ServiceSpec("alert-sink", 8085, alerts, alertsEnvironment, "events, webhook, REST; page at " + page
                        + ", user " + PageLogin.USER + ", password in " + login.passwordFile()),
                new ServiceSpec("frame-ingest", INGEST_PORT, ingest, Map.of(SOURCE_URI_VARIABLE, o.source()),
                        "camera " + String.join(", ", o.cameraIds()) + " <- "
                        + SourceUris.withoutCredentials(o.source())));
    }

    private static Map<String, String> common(Options o, String bootstrap, int port) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("kafka.bootstrap.servers", bootstrap);
        props.put("quarkus.http.port", Integer.toString(port));
        props.put("quarkus.http.host", o.listen());
        props.put("quarkus.management.port", Integer.toString(port + MANAGEMENT_PORT_OFFSET));
        // Health and metrics have no authentication: this machine only, whatever --listen says.
        props.put("quarkus.management.host", Options.LOOPBACK);
        return props;
    }

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
        String listen = Options.LOOPBACK;
    }

    /** The options of a command line; throws {@link IllegalArgumentException} naming the bad option. */
    static Options parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** The command line over {@code c}: times like 45s, 90m or 3h, as the other Vigil command lines read them. */
    private static CommandLine commandLine(Cli c) {
        return new CommandLine(c).registerConverter(Duration.class, Durations::parse);
    }

    /** As {@link #parse(String[])}, with {@code env} for the source when the command line names none. */
    static Options parse(String[] args, Map<String, String> env) {
        Cli c = new Cli();
        try {
            commandLine(c).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return options(c, env);
    }

    /** The options of a parsed command line; throws {@link IllegalArgumentException} naming the bad option. */
    private static Options options(Cli c, Map<String, String> env) {
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
                : env.getOrDefault(SOURCE_URI_VARIABLE, DEFAULT_SOURCE);
        String camera = c.camera != null ? c.camera : source.startsWith("synthetic:") ? DEFAULT_CAMERA : cameraIdFrom(source);
        String problem = CameraIds.problem(camera);
        if (problem != null) {
            throw new IllegalArgumentException("--camera: " + problem);
        }
        return new Options(source, camera, c.once, c.duration, c.port, c.dataDir.toAbsolutePath(), c.fresh,
                c.home.toAbsolutePath(), c.detector, java.util.Optional.ofNullable(c.model), c.cameras, c.secure, c.fps, c.loop,
                c.learn, c.learnEpochs, c.listen);
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

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static void say(String message) {
        System.out.println("vigil-local: " + message);
        System.out.flush();
    }

    private VigilLocal() {
    }
}
