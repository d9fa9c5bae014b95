package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.local.broker.LocalKafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way the main job can end, on the packaged jar as a user runs it: the source ends (with and without
 * {@code --once}), {@code --duration} runs out, Ctrl-C, SIGTERM, a service dies. Each time vigil-local exits within
 * {@link #BOUND}, the services stop before the broker, and none of its child processes is left running.
 */
class MainJobEndsIT {

    /** From the end (or the signal) to vigil-local's exit; measured here: 1 to 4 s to stop, plus the catch-up wait. */
    static final Duration BOUND = Duration.ofSeconds(60);
    static final String FINITE = "synthetic:?frames=30&walkers=3";
    static final String ENDLESS = "synthetic:?walkers=3";

    @TempDir
    Path temp;

    private MainJob job;

    /** A failed test leaves nothing running for the next one (the services' HTTP ports are fixed). */
    @AfterEach
    void killWhatIsLeft() {
        if (job != null && job.process.isAlive()) {
            job.process.descendants().forEach(ProcessHandle::destroyForcibly);
            job.process.destroyForcibly();
        }
    }

    @Test
    void theSourceEndsWithoutOnce() throws Exception {
        job = MainJob.start(temp, FINITE);
        assertEquals(0, job.awaitExit(Duration.ofMinutes(3)), job.output());
        job.assertStoppedInOrderAndNothingLeft();
        assertTrue(job.output().contains("every source ended {synthetic-1=FINISHED}"), job.output());
        assertTrue(job.output().contains("camera synthetic-1 scores with the synthetic street's model"), job.output());
        assertTrue(job.output().contains("30 frames, 30 detections messages") && job.output().contains("30 frame scores"),
                "every frame scored before the end: " + job.output());
    }

    @Test
    void theSourceEndsWithOnce() throws Exception {
        job = MainJob.start(temp, FINITE, "--once");
        assertEquals(0, job.awaitExit(Duration.ofMinutes(3)), job.output());
        job.assertStoppedInOrderAndNothingLeft();
        assertTrue(job.output().contains("30 frame scores"), job.output());
    }

    @Test
    void theDurationRunsOut() throws Exception {
        job = MainJob.start(temp, ENDLESS, "--duration", "25s");
        assertEquals(0, job.awaitExit(Duration.ofSeconds(25).plus(BOUND).plusMinutes(1)), job.output());
        job.assertStoppedInOrderAndNothingLeft();
    }

    @Test
    void ctrlCInTheTerminal() throws Exception {
        job = MainJob.start(temp, ENDLESS);
        job.awaitFlowing();
        job.signalGroup("INT"); // what a terminal does: SIGINT to the foreground process group
        assertEquals(130, job.awaitExit(BOUND), job.output());
        job.assertStoppedInOrderAndNothingLeft();
    }

    @Test
    void sigterm() throws Exception {
        job = MainJob.start(temp, ENDLESS);
        job.awaitFlowing();
        job.signal("TERM", job.process.pid());
        assertEquals(143, job.awaitExit(BOUND), job.output());
        job.assertStoppedInOrderAndNothingLeft();
    }

    @Test
    void aServiceDies() throws Exception {
        job = MainJob.start(temp, ENDLESS);
        job.awaitFlowing();
        job.signal("KILL", job.pidOf("anomaly-scorer"));
        assertEquals(1, job.awaitExit(BOUND), job.output());
        assertTrue(job.output().contains("anomaly-scorer exited with code 137"), job.output());
        job.assertStoppedInOrderAndNothingLeft();
    }

    /** vigil-local as a process of its own, in its own process group, with SIGINT at its default as in a terminal. */
    private static final class MainJob {
        final Process process;
        final Path log;
        final List<ProcessHandle> children = new ArrayList<>();

        private MainJob(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static MainJob start(Path temp, String source, String... options) throws IOException {
            Path jar = Path.of("target/vigil-local.jar").toAbsolutePath();
            assertTrue(Files.exists(jar), "vigil-local is not packaged: " + jar);
            List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV", "setsid",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                    "--home", Path.of("..").toAbsolutePath().normalize().toString(), "--data-dir", temp.resolve("data").toString(),
                    "--kafka-port", Integer.toString(LocalKafkaBroker.freePort()), "--source", source));
            cmd.addAll(List.of(options));
            Path log = temp.resolve("vigil-local.out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new MainJob(p, log);
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        /** Waits until frames flow through the topics, then notes the child processes. */
        void awaitFlowing() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!output().contains("] vigil.frame-scores") && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertTrue(output().contains("] vigil.frame-scores"), "frames never flowed: " + output());
            noteChildren();
        }

        private void noteChildren() {
            process.descendants().forEach(children::add);
        }

        long pidOf(String service) {
            Matcher m = Pattern.compile(service + " started \\(pid (\\d+)").matcher(output());
            assertTrue(m.find(), output());
            return Long.parseLong(m.group(1));
        }

        void signal(String signal, long pid) throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
        }

        void signalGroup(String signal) throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid()).start().waitFor());
        }

        int awaitExit(Duration bound) throws InterruptedException {
            long deadline = System.nanoTime() + bound.toNanos();
            while (process.isAlive() && System.nanoTime() < deadline) {
                if (children.size() < 6) {
                    children.clear();
                    noteChildren(); // the broker and five services, while they run
                }
                Thread.sleep(200);
            }
            boolean ended = process.waitFor(0, TimeUnit.SECONDS);
            if (!ended) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            assertTrue(ended, "vigil-local still running " + bound.toSeconds() + " s after it should end: " + output());
            return process.exitValue();
        }

        void assertStoppedInOrderAndNothingLeft() throws InterruptedException {
            assertEquals(6, children.size(), "the broker and five services were children: " + children);
            Thread.sleep(200);
            List<Long> alive = children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
            alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            assertEquals(List.of(), alive, "child processes left running");
            String out = output();
            int services = out.indexOf("vigil-local: services stopped");
            int broker = out.indexOf("vigil-local: broker stopped");
            assertTrue(services >= 0 && broker > services, "services stopped before the broker: " + out);
        }
    }
}
