package io.vigil.local;

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

/**
 * The main job on one machine: a real Kafka broker, the packaged Vigil services as separate processes, and a
 * live print-out of what flows through the topics. Ctrl-C stops everything cleanly; the broker's data stays in
 * {@code --data-dir}, so the next run resumes from committed offsets.
 *
 * <pre>
 * java -jar local/target/vigil-local.jar [--source URI] [--camera ID] [--once] [--duration 60s]
 *                                        [--kafka-port 9092] [--data-dir .vigil] [--fresh] [--home DIR]
 * </pre>
 */
public final class VigilLocal {

    static final String DEFAULT_CAMERA = "synthetic-1";
    static final String DEFAULT_SOURCE = "synthetic:?walkers=6&anomalies=fast,backward,erratic,unusual";

    record Options(String source, String camera, boolean once, Duration duration, int kafkaPort, Path dataDir,
            boolean fresh, Path home) {
    }

    public static void main(String[] args) throws Exception {
        // Kafka clients in this JVM log through slf4j-simple: keep its INFO chatter out of the flow print-out.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("vigil-local: " + e.getMessage());
            System.err.println("usage: vigil-local [--source URI] [--camera ID] [--once] [--duration 60s] "
                    + "[--kafka-port 9092] [--data-dir .vigil] [--fresh] [--home DIR]");
            System.exit(2);
            return;
        }
        System.exit(run(o));
    }

    static int run(Options o) throws Exception {
        if (o.fresh()) {
            deleteRecursively(o.dataDir());
        }
        Path logs = o.dataDir().resolve("logs");
        say("starting Kafka broker (KRaft) in " + o.dataDir().resolve("kafka"));
        List<AutoCloseable> open = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Thread stopper = new Thread(() -> {
            stopping.set(true);
            closeAll(open);
        }, "vigil-local-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(o.dataDir().resolve("kafka"),
                    o.kafkaPort(), 0, Topics.DEFAULTS, Duration.ofSeconds(120)));
            open.add(broker);
            say("Kafka broker ready at " + broker.bootstrapServers() + " (pid " + broker.pid() + ", topics "
                    + FlowPrinter.topics() + ")");

            FlowPrinter printer = new FlowPrinter(broker.bootstrapServers(), System.out);
            printer.awaitAssignment(Duration.ofSeconds(30));
            open.add(0, printer);

            Map<String, String> ingestProps = new LinkedHashMap<>();
            ingestProps.put("kafka.bootstrap.servers", broker.bootstrapServers());
            ingestProps.put("quarkus.http.port", "8081");
            if (!DEFAULT_CAMERA.equals(o.camera())) {
                // frame-ingest's own default camera; this run ingests only the camera asked for.
                ingestProps.put("vigil.ingest.cameras." + DEFAULT_CAMERA + ".enabled", "false");
            }
            ingestProps.put("vigil.ingest.cameras." + o.camera() + ".uri", o.source());
            ingestProps.put("vigil.ingest.mode", o.once() ? "once" : "stream");
            ServiceProcess ingest = ServiceProcess.start("frame-ingest",
                    o.home().resolve("frame-ingest/target/quarkus-app/quarkus-run.jar"), ingestProps,
                    logs.resolve("frame-ingest.log"));
            open.add(0, ingest);
            say("frame-ingest started (pid " + ingest.pid() + ", camera " + o.camera() + " <- " + o.source()
                    + ", health http://localhost:8081/q/health, log " + ingest.log() + ")");
            printer.start();

            int exit = 0;
            long deadline = o.duration() == null ? Long.MAX_VALUE : System.nanoTime() + o.duration().toNanos();
            while (System.nanoTime() < deadline && !stopping.get()) {
                if (!ingest.isAlive() && !stopping.get()) {
                    exit = ingest.waitFor();
                    if (!o.once() || exit != 0) {
                        say("frame-ingest exited with code " + exit + "; see " + ingest.log());
                        exit = exit == 0 ? 1 : exit;
                    }
                    Thread.sleep(1500); // let the printer report the last second
                    break;
                }
                Thread.sleep(200);
            }
            say("stopping; " + printer.totalFrames() + " frames flowed through " + Topics.FRAMES);
            return exit;
        } finally {
            closeAll(open);
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running and closes the same things; close() is idempotent
            }
        }
    }

    private static synchronized void closeAll(List<AutoCloseable> open) {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("vigil-local: stopping " + c + " failed: " + e.getMessage());
            }
        }
        open.clear();
    }

    static Options parse(String[] args) {
        String source = DEFAULT_SOURCE;
        String camera = null;
        boolean once = false;
        Duration duration = null;
        int port = 9092;
        Path dataDir = Path.of(".vigil");
        boolean fresh = false;
        Path home = Path.of(".");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--source" -> source = value(args, ++i, a);
                case "--camera" -> camera = value(args, ++i, a);
                case "--once" -> once = true;
                case "--duration" -> duration = parseDuration(value(args, ++i, a));
                case "--kafka-port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
                case "--fresh" -> fresh = true;
                case "--home" -> home = Path.of(value(args, ++i, a));
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    source = a; // a bare argument is the source
                }
            }
        }
        if (camera == null) {
            camera = source.startsWith("synthetic:") ? DEFAULT_CAMERA : cameraIdFrom(source);
        }
        return new Options(source, camera, once, duration, port, dataDir.toAbsolutePath(), fresh, home.toAbsolutePath());
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

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        if (t.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(t));
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

    private static void say(String message) {
        System.out.println("vigil-local: " + message);
        System.out.flush();
    }

    private VigilLocal() {
    }
}
