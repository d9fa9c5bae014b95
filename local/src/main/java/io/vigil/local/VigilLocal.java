package io.vigil.local;

import io.vigil.auth.LoginFiles;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.broker.LocalSecurity;
import io.vigil.local.process.IngestProbe;
import io.vigil.local.process.LivenessWatch;
import io.vigil.local.process.ServiceProcess;
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

    /** Runs the main job with command-line arguments and returns its exit code (for harnesses; main exits). */
    public static int run(String... args) throws Exception {
        return run(LocalOptions.parse(args));
    }

    public static void main(String[] args) throws Exception {
        // Kafka clients in this JVM log through slf4j-simple: keep its INFO chatter out of the flow print-out.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        LocalOptions.Cli parsed = new LocalOptions.Cli();
        CommandLine cli = LocalOptions.commandLine(parsed);
        LocalOptions o;
        try {
            if (cli.parseArgs(args).isUsageHelpRequested() || cli.isVersionHelpRequested()) {
                cli.usage(System.out);
                System.exit(0);
            }
            o = LocalOptions.options(parsed, System.getenv());
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
    private static boolean learnThenIngestAll(JobProcesses job, LocalOptions o, LocalKafkaBroker broker,
            java.util.Optional<LocalSecurity> security, Path logs, List<ServiceProcess> services,
            java.util.concurrent.atomic.AtomicBoolean stopping) throws Exception {
        CameraLearning learning = new CameraLearning(o, broker.bootstrapServers(),
                security.map(LocalSecurity::writeTrainerConfig), logs);
        if (!learning.run(job, services, stopping)) {
            return false;
        }
        List<ServiceSpec> all = LocalServices.services(o, broker.bootstrapServers());
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
    private static LocalKafkaBroker startBroker(JobProcesses job, LocalOptions o, java.util.Optional<LocalSecurity> security)
            throws Exception {
        JobLog.say("starting Kafka broker (KRaft) in " + o.site().dataDir().resolve("kafka"));
        LocalKafkaBroker broker = job.start(() -> LocalKafkaBroker.launch(new LocalKafkaBroker.Config(
                o.site().dataDir().resolve("kafka"), o.site().kafkaPort(), 0, Topics.DEFAULTS, Duration.ofSeconds(120), security)));
        broker.prepare();
        JobLog.say("Kafka broker ready at " + broker.bootstrapServers() + (o.site().secure() ? " (SASL_SSL, client certificates "
                + "required)" : "") + " (pid " + broker.pid() + ", topics " + FlowPrinter.topics() + ")");
        security.ifPresent(s -> JobLog.say("client settings for tools (kafka-console-consumer --command-config, the "
                + "evaluator's --kafka-config): " + s.writeToolConfig()));
        return broker;
    }

    static int run(LocalOptions o) throws Exception {
        if (o.site().fresh()) {
            deleteRecursively(o.site().dataDir());
        }
        Path logs = o.site().dataDir().resolve("logs");
        JobProcesses job = new JobProcesses();
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Thread stopper = stopOnSignal(job, stopping);
        try {
            java.util.Optional<LocalSecurity> security = o.site().secure()
                    ? java.util.Optional.of(LocalSecurity.createOrLoad(o.site().dataDir().resolve("tls"))) : java.util.Optional.empty();
            LocalKafkaBroker broker = startBroker(job, o, security);
            LoginFiles login = PageLogin.in(o.site().dataDir());
            if (login.createIfMissing()) {
                JobLog.say("created the page's user " + PageLogin.USER + "; its password is in " + login.passwordFile()
                        + " (owner-only); more users: docs/operations.md#security");
            }

            FlowPrinter printer = job.start(() -> new FlowPrinter(broker.clientConfig(), System.out));
            printer.awaitAssignment(Duration.ofSeconds(30));

            if (StreetModel.applies(o)) {
                StreetModel.registerIfAbsent(job, o, logs);
            }
            // Downstream services first, so they are consuming when the first frame arrives. A learning run starts
            // with the camera's normal footage.
            LocalOptions first = o.learning().time() == null ? o
                    : o.withSource(CameraLearning.normalSource(o.cameras().source()));
            List<ServiceSpec> specs = LocalServices.services(first, broker.bootstrapServers());
            List<ServiceProcess> services = new ArrayList<>();
            for (ServiceSpec spec : specs) {
                services.add(startService(job, o, spec, security, logs));
            }
            printer.start();
            if (o.learning().time() != null && !learnThenIngestAll(job, o, broker, security, logs, services, stopping)) {
                return 1;
            }

            int exit = awaitEnd(o, services, new IngestProbe(LocalServices.INGEST_PORT + LocalServices.MANAGEMENT_PORT_OFFSET),
                    livenessWatch(specs), printer, stopping);
            JobLog.say("stopping; " + printer.totals());
            return exit;
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                throw e;
            }
            JobLog.say("stopped while starting (" + e.getMessage() + ")");
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

    private static ServiceProcess startService(JobProcesses job, LocalOptions o, ServiceSpec spec,
            java.util.Optional<LocalSecurity> security, Path logs) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(spec.properties());
        // Each service its own Kafka user; the client secrets stay in a file only this user can read, never on a
        // command line.
        security.ifPresent(s -> properties.put("quarkus.config.locations", s.writeServiceConfig(spec.name(), spec.principal()).toUri().toString()));
        ServiceProcess p = job.start(() -> ServiceProcess.start(spec.name(),
                o.run().home().resolve(spec.name() + "/target/quarkus-app/quarkus-run.jar"), properties, spec.environment(),
                logs.resolve(spec.name() + ".log")));
        JobLog.say(spec.name() + " started (pid " + p.pid() + ", " + spec.summary() + ", health http://localhost:"
                + spec.managementPort() + "/q/health, log " + p.log() + ")");
        return p;
    }

    /** Waits until the job should end (see the README's "How it ends"); returns its exit code. */
    private static int awaitEnd(LocalOptions o, List<ServiceProcess> services, IngestProbe probe, LivenessWatch liveness,
            FlowPrinter printer, java.util.concurrent.atomic.AtomicBoolean stopping) throws InterruptedException {
        ServiceProcess ingest = services.get(services.size() - 1);
        long deadline = o.run().duration() == null ? Long.MAX_VALUE : System.nanoTime() + o.run().duration().toNanos();
        long nextProbe = System.nanoTime();
        long nextLiveness = System.nanoTime();
        while (System.nanoTime() < deadline && !stopping.get()) {
            ServiceProcess died = services.stream().filter(sp -> sp != ingest && !sp.isAlive()).findFirst().orElse(null);
            if (died != null && !stopping.get()) {
                JobLog.say(died.name() + " exited with code " + died.waitFor() + "; see " + died.log());
                return 1;
            }
            if (System.nanoTime() >= nextLiveness) {
                nextLiveness = System.nanoTime() + LIVENESS_INTERVAL.toNanos();
                var dead = liveness.check();
                if (dead.isPresent() && !stopping.get()) {
                    String log = services.stream().filter(sp -> sp.name().equals(dead.get().service())).findFirst()
                            .map(sp -> sp.log().toString()).orElse("its log");
                    JobLog.say(dead.get().service() + " is running but not live (" + dead.get().health() + "); the job ends "
                            + "as a cluster would restart it; see " + log);
                    return 1;
                }
            }
            if (!ingest.isAlive() && !stopping.get()) {
                int exit = ingest.waitFor();
                if (o.run().once() && exit == 0) {
                    return caughtUp(printer, "all frames published", 0);
                }
                JobLog.say("frame-ingest exited with code " + exit + "; see " + ingest.log());
                Thread.sleep(1500); // let the printer report the last second
                return exit == 0 ? 1 : exit;
            }
            if (!o.run().once() && System.nanoTime() >= nextProbe) {
                // Stream mode: frame-ingest keeps running after a file or folder ends; its health says so.
                nextProbe = System.nanoTime() + 1_000_000_000L;
                Map<String, String> states = probe.states(o.cameras().ids()).orElse(Map.of());
                if (!states.isEmpty() && IngestProbe.allEnded(states)) {
                    return caughtUp(printer, "every source ended " + states, states.containsValue("FAILED") ? 1 : 0);
                }
            }
            Thread.sleep(200);
        }
        return 0;
    }

    private static int caughtUp(FlowPrinter printer, String why, int exit) throws InterruptedException {
        JobLog.say(why + "; waiting for the pipeline to catch up");
        printer.awaitCaughtUp(Duration.ofSeconds(2), Duration.ofSeconds(60));
        Thread.sleep(1500); // let the printer report the last second
        return exit;
    }

    /** How often the job asks every service whether it is live, and after how many DOWN answers in a row it ends. */
    static final Duration LIVENESS_INTERVAL = Duration.ofSeconds(5);
    static final int LIVENESS_FAILURES_TO_END = 3;

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

    private VigilLocal() {
    }
}
