package io.vigil.local;

import io.vigil.local.process.IngestProbe;
import io.vigil.local.process.ServiceProcess;
import io.vigil.proto.CameraIds;
import io.vigil.proto.SourceUris;
import io.vigil.proto.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code vigil-local --learn TIME}: the first camera shows its normal footage for that long (a synthetic scene without
 * its injected anomalies), then the trainer learns the camera's model from what it published on vigil.frames and
 * registers it in the local model registry, where the running scorer and alert-sink pick it up. The job then goes on
 * with the source as given.
 */
final class CameraLearning {

    /** Epochs of the demo's training: a few minutes on 2 cores for a few minutes of footage. */
    static final int DEFAULT_EPOCHS = 3;
    /** At most this many frames of the footage are trained on (whole clips, sampled over the range). */
    static final int MAX_FRAMES = 900;
    /** How long frame-ingest may take to start before the learning time runs anyway. */
    private static final Duration INGEST_START_TIMEOUT = Duration.ofMinutes(2);

    private final LocalOptions o;
    private final String bootstrap;
    private final Optional<Path> clientSettings;
    private final Path logs;

    CameraLearning(LocalOptions o, String bootstrap, Optional<Path> clientSettings, Path logs) {
        this.o = o;
        this.bootstrap = bootstrap;
        this.clientSettings = clientSettings;
        this.logs = logs;
    }

    /** The source without the anomalies a synthetic scene injects; any other source as it is. */
    static String normalSource(String source) {
        if (!source.startsWith("synthetic:")) {
            return source;
        }
        String normal = source.replaceAll("([?&])anomalies=[^&]*&?", "$1").replaceAll("[?&]$", "");
        return normal.equals("synthetic:") ? "synthetic:?" : normal;
    }

    /**
     * Waits out the learning time (or the end of a finite source), stops frame-ingest (the last of {@code services},
     * removed from the list) and trains and registers the camera's model. False when the job must end instead.
     */
    boolean run(JobProcesses job, List<ServiceProcess> services, AtomicBoolean stopping) throws Exception {
        ServiceProcess ingest = services.remove(services.size() - 1);
        String camera = o.cameras().ids().get(0);
        JobLog.say(startLine(camera));
        // The learning time is footage: it starts when frame-ingest reads the camera, not when its JVM starts (five
        // services starting on two cores take half a minute).
        IngestProbe probe = new IngestProbe(LocalServices.INGEST_PORT + LocalServices.MANAGEMENT_PORT_OFFSET);
        long reading = System.nanoTime() + INGEST_START_TIMEOUT.toNanos();
        while (probe.states(List.of(camera)).isEmpty() && System.nanoTime() < reading && ingest.isAlive() && !stopping.get()) {
            Thread.sleep(200);
        }
        long end = System.nanoTime() + o.learning().time().toNanos();
        while (System.nanoTime() < end && ingest.isAlive() && !stopping.get()) {
            if (services.stream().anyMatch(s -> !s.isAlive())) {
                JobLog.say("a service exited while learning; see " + logs);
                return false;
            }
            Thread.sleep(200);
        }
        ingest.close();
        if (stopping.get()) {
            return false;
        }
        Path log = logs.resolve("model-trainer.log");
        ServiceProcess trainer = job.start(() -> ServiceProcess.startJar("model-trainer",
                o.run().home().resolve("model-trainer/target/model-trainer.jar"), List.of("-Xmx3g", "-Dai.djl.offline=true"),
                trainerArguments(camera), Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), log));
        JobLog.say("model-trainer started (pid " + trainer.pid() + ", camera " + camera + ", " + o.learning().epochs() + " epochs, log "
                + log + ")");
        int exit = followProgress(trainer, log, stopping);
        if (exit != 0) {
            JobLog.say("model-trainer exited with code " + exit + "; see " + log);
            return false;
        }
        JobLog.say("camera " + camera + " has its own model now (the scorer loads it within seconds; registry "
                + o.site().registry() + "); going on with " + SourceUris.withoutCredentials(o.cameras().source()));
        return true;
    }

    /** What the learning phase prints first; a camera's password stays out of it. */
    String startLine(String camera) {
        return "learning what is normal for camera " + camera + ": " + o.learning().time().toSeconds() + " s of "
                + SourceUris.withoutCredentials(normalSource(o.cameras().source())) + ", then its model is trained from "
                + Topics.FRAMES;
    }

    List<String> trainerArguments(String camera) {
        List<String> args = new ArrayList<>(List.of("--from-topic", bootstrap, "--camera", camera,
                // The footage just published, and a margin for clocks.
                "--since", (o.learning().time().toSeconds() + 120) + "s", "--clip-frames", "150",
                "--max-frames", Integer.toString(MAX_FRAMES), "--epochs", Integer.toString(o.learning().epochs()), "--threads", "2",
                "--detector", o.detection().detector(), "--out", o.site().dataDir().resolve("training").resolve(CameraIds.fileName(camera)).toString(),
                "--register", o.site().registry().toString(),
                // The footage is normal by construction; the default model may well have raised events on it.
                "--keep-event-frames"));
        o.detection().model().ifPresent(m -> args.addAll(List.of("--detector-model", m.toAbsolutePath().toString())));
        clientSettings.ifPresent(f -> args.addAll(List.of("--kafka-config", f.toString())));
        return args;
    }

    /** Prints the trainer's progress lines while it runs; returns its exit code. */
    private static int followProgress(ServiceProcess trainer, Path log, AtomicBoolean stopping) throws Exception {
        long printed = 0;
        while (true) {
            boolean alive = trainer.isAlive();
            printed = printNew(log, printed);
            if (!alive) {
                return trainer.waitFor();
            }
            if (stopping.get()) {
                return 143;
            }
            Thread.sleep(1000);
        }
    }

    private static long printNew(Path log, long skip) throws IOException {
        if (!Files.exists(log)) {
            return skip;
        }
        long line = 0;
        try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                if (line++ >= skip && (l.startsWith("camera ") || l.contains("done:") || l.contains("step ")
                        && l.contains("ETA") || l.startsWith("event thresholds") || l.startsWith("registered"))) {
                    JobLog.say("model-trainer: " + l);
                }
            }
        }
        return line;
    }
}
