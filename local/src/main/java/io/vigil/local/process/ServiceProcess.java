package io.vigil.local.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A packaged Quarkus service ({@code target/quarkus-app/quarkus-run.jar}), or another jar, run as a child process. */
public final class ServiceProcess implements AutoCloseable {

    /** How long a service may take to stop after SIGTERM before it is killed; its Kafka Streams close within 10 s. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code jar} with {@code properties} as {@code -D} system properties; output goes to {@code log}.
     */
    public static ServiceProcess start(String name, Path jar, Map<String, String> properties, Path log) {
        return start(name, jar, properties, Map.of(), log);
    }

    /** As {@link #start(String, Path, Map, Path)}, with {@code environment} added to the process's environment. */
    public static ServiceProcess start(String name, Path jar, Map<String, String> properties, Map<String, String> environment,
            Path log) {
        List<String> jvm = new ArrayList<>();
        properties.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        return startJar(name, jar, jvm, List.of(), environment, log);
    }

    /** Any executable jar: {@code java JVM-OPTIONS -jar JAR ARGS}, in its own session, output to {@code log}. */
    public static ServiceProcess startJar(String name, Path jar, List<String> jvmOptions, List<String> args,
            Map<String, String> environment, Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + " is not built: " + jar + " is missing (run mvn -DskipTests install)");
        }
        List<String> cmd = Processes.java();
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(Processes.inOwnSession(cmd)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            Process p = builder.start();
            return new ServiceProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** True when it ended within the time. */
    public boolean waitFor(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    /** SIGKILL: the process dies at once, mid-transaction (fault-injection in tests). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM (Quarkus shuts down gracefully, committing offsets), then a hard kill after {@link #STOP_GRACE}. */
    @Override
    public void close() {
        Processes.stop(process, STOP_GRACE);
    }

    /** Stops all of them at once, each as {@link #close()} does: bounded by {@link #STOP_GRACE} plus 10 s in all. */
    public static void stopAll(List<ServiceProcess> services) {
        Processes.stopAll(services.stream().map(s -> s.process).toList(), STOP_GRACE);
    }
}
