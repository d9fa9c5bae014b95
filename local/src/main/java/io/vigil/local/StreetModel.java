package io.vigil.local;

import io.vigil.local.process.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The synthetic street's own model, shipped in {@code models/}: a first run on the street (the default source) scores
 * it with a model of the street and the event thresholds of its normal footage, so events open on its injected
 * anomalies and close after, with no training first. Ped2's model finds everything on the street unusual. A camera
 * that already has a model in the registry (a learning run, an operator's choice) keeps it.
 */
final class StreetModel {

    static final String MODEL = "models/ssmtl-street.onnx";
    /** Its ModelDescriptor (protobuf text): how it was trained, and its event thresholds. */
    static final String DESCRIPTOR = "models/ssmtl-street.txtpb";
    /** Registry scopes are directory names; other camera ids keep the default model. */
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final long REGISTER_TIMEOUT_SECONDS = 120;

    private StreetModel() {
    }

    /** Whether a run of {@code o} starts on the street's model: a synthetic source, and no learning of its own. */
    static boolean applies(LocalOptions o) {
        return o.cameras().source().startsWith("synthetic:") && o.learning().time() == null;
    }

    /** The trainer's arguments that register the street model for {@code camera} unless it has a model already. */
    static List<String> registerArguments(LocalOptions o, String camera) {
        return List.of("registry", "--registry", o.site().registry().toString(), "register", "--scope", camera, "--model",
                o.run().home().resolve(MODEL).toString(), "--descriptor", o.run().home().resolve(DESCRIPTOR).toString(), "--if-absent");
    }

    /**
     * Registers it for each of the run's cameras that has no model (model-trainer's {@code registry register
     * --if-absent}, one short process per camera), and says what each camera scores with.
     */
    static void registerIfAbsent(JobProcesses job, LocalOptions o, Path logs) throws Exception {
        List<String> cameras = new ArrayList<>();
        for (String camera : o.cameras().ids()) {
            if (SCOPE.matcher(camera).matches()) {
                cameras.add(camera);
            } else {
                JobLog.say("camera " + camera + ": no registry scope for this id; it scores with the default model");
            }
        }
        for (String camera : cameras) {
            Path log = logs.resolve("model-trainer-register.log");
            ServiceProcess register = job.start(() -> ServiceProcess.startJar("model-trainer",
                    o.run().home().resolve("model-trainer/target/model-trainer.jar"), List.of("-Xmx512m", "-Dai.djl.offline=true"),
                    registerArguments(o, camera), Map.of(), log));
            if (!register.waitFor(REGISTER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                register.kill();
                throw new IllegalStateException("registering the street model took over " + REGISTER_TIMEOUT_SECONDS
                        + " s; see " + log);
            }
            String said = Files.readString(log, StandardCharsets.UTF_8).strip();
            if (register.waitFor() != 0) {
                throw new IllegalStateException("registering the street model failed: " + said);
            }
            JobLog.say("camera " + camera + " scores with the synthetic street's model (" + MODEL + "): "
                    + said.lines().reduce((a, b) -> b).orElse(""));
        }
    }
}
