package io.vigil.local.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starting and stopping the main job's child processes. */
public final class Processes {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /**
     * Extra options for every child JVM (broker and services), space-separated, e.g. a flight recording:
     * {@code -Dvigil.local.jvm-options="-XX:StartFlightRecording=filename=rec/,settings=profile"}.
     */
    public static final String JVM_OPTIONS = "vigil.local.jvm-options";

    private Processes() {
    }

    /** {@code java -Xmx1g} with this JVM's java, then the {@link #JVM_OPTIONS}; the caller adds the rest. */
    public static List<String> java() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        String extra = System.getProperty(JVM_OPTIONS, "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        return cmd;
    }

    /**
     * The command, run in a session of its own where util-linux's {@code setsid} is there (it execs in place, so the
     * process id stays the child's). A Ctrl-C in the terminal then reaches vigil-local alone, which stops the
     * services before the broker; without it every child got SIGINT at once and the broker could go first, leaving
     * the services to retry it while they closed.
     */
    public static List<String> inOwnSession(List<String> command) {
        if (!Files.isExecutable(SETSID)) {
            return command;
        }
        List<String> wrapped = new ArrayList<>();
        wrapped.add(SETSID.toString());
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * SIGTERM to all at once (a JVM runs its shutdown hooks: Quarkus' graceful stop, Kafka's controlled shutdown),
     * SIGKILL to those still running after {@code grace}. Returns within {@code grace} plus 10 s.
     */
    public static void stopAll(List<Process> processes, Duration grace) {
        processes.forEach(Process::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (Process p : processes) {
                p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            processes.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
            long killDeadline = System.nanoTime() + KILL_WAIT.toNanos();
            for (Process p : processes) {
                p.waitFor(Math.max(0, killDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            processes.forEach(Process::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    public static void stop(Process process, Duration grace) {
        stopAll(List.of(process), grace);
    }
}
