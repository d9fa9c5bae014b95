package io.vigil.trainer;

import io.vigil.common.registry.IgnoreZones;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ModelDescriptor;
import io.vigil.trainer.training.TaskLosses;
import io.vigil.trainer.training.TrainingRun;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code model-trainer registry ...}: look at the model registry and change what the scorers use. Every change
 * reaches running scorers within their reload interval.
 */
@Command(name = "registry", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Lists, activates and rolls back per-camera models in a model registry.",
        subcommands = {RegistryCommands.ListModels.class, RegistryCommands.Activate.class, RegistryCommands.Rollback.class,
            RegistryCommands.Register.class, RegistryCommands.Camera.class, RegistryCommands.Zone.class})
final class RegistryCommands implements Callable<Integer> {

    @Option(names = "--registry", required = true, paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "the registry directory (the scorers' vigil.scorer.registry)")
    Path registry;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: list, activate, rollback, "
                + "register, camera or zone");
    }

    java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    ModelRegistry open() {
        return new ModelRegistry(registry);
    }

    /** What a training run registers: its range, held-out losses and chosen epoch. */
    static ModelDescriptor descriptor(TrainingRun.Result result, String note) {
        ModelDescriptor.Builder d = ModelDescriptor.newBuilder().setTraining(result.range()).setNote(note)
                .putMetrics("epoch", result.epoch());
        if (result.thresholds() != null) {
            d.setThresholds(result.thresholds());
        }
        TaskLosses held = result.heldOut();
        if (held != null) {
            d.putMetrics("heldout_loss_total", held.total()).putMetrics("heldout_loss_arrow_of_time", held.arrowOfTime())
                    .putMetrics("heldout_loss_irregularity", held.irregularity())
                    .putMetrics("heldout_loss_reconstruction", held.reconstruction())
                    .putMetrics("heldout_loss_distillation", held.distillation());
        }
        return d.build();
    }

    static String describe(ModelRegistry.Entry e, boolean current) {
        ModelDescriptor d = e.descriptor();
        StringBuilder line = new StringBuilder(String.format("%s %-28s registered %s", current ? "*" : " ", e.id(),
                Instant.ofEpochMilli(d.getRegisteredTimeMs())));
        if (d.hasTraining() && !d.getTraining().getSource().isEmpty()) {
            var t = d.getTraining();
            line.append(", trained on ").append(t.getSource());
            if (!t.getCameraId().isEmpty()) {
                line.append(" ").append(t.getCameraId()).append(" ").append(Instant.ofEpochMilli(t.getFromTimeMs()))
                        .append("..").append(Instant.ofEpochMilli(t.getToTimeMs()));
            }
            line.append(" (").append(t.getFrames()).append(" frames, ").append(t.getObjects()).append(" objects, ")
                    .append(t.getExcludedFrames()).append(" left out in events)");
        }
        if (d.hasThresholds()) {
            line.append(String.format(", events open at %.3f, close at %.3f", d.getThresholds().getOpen(),
                    d.getThresholds().getClose()));
        }
        if (!d.getNote().isEmpty()) {
            line.append(" - ").append(d.getNote());
        }
        return line.toString();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every scope's versions (* = current), and "
            + "the cameras' settings.")
    static final class ListModels implements Callable<Integer> {
        @ParentCommand
        RegistryCommands parent;
        @Option(names = "--scope", paramLabel = "NAME", description = "only this scope")
        String scope;

        @Override
        public Integer call() {
            ModelRegistry r = parent.open();
            for (String s : scope == null ? r.scopes() : List.of(scope)) {
                int current = r.current(s).map(ModelRegistry.Entry::version).orElse(-1);
                parent.out().println(s + ":");
                r.versions(s).forEach(e -> parent.out().println("  " + describe(e, e.version() == current)));
            }
            Map<String, CameraSettings> cameras = r.cameraSettings();
            cameras.values().forEach(c -> parent.out().println("camera " + c.getCameraId() + ": scope "
                    + (c.getScope().isEmpty() ? c.getCameraId() : c.getScope()) + ", " + c.getIgnoreZonesCount()
                    + " ignore zones" + (c.hasThresholds() ? ", thresholds " + c.getThresholds().getOpen() + "/"
                    + c.getThresholds().getClose() : "")));
            return 0;
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true, description = "Makes a registered version current.")
    static final class Activate implements Callable<Integer> {
        @ParentCommand
        RegistryCommands parent;
        @Option(names = "--scope", required = true, paramLabel = "NAME")
        String scope;
        @Option(names = "--version", required = true, paramLabel = "N")
        int version;

        @Override
        public Integer call() {
            parent.out().println("current: " + parent.open().activate(scope, version).id());
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Goes back to the version that was current "
            + "before the current one.")
    static final class Rollback implements Callable<Integer> {
        @ParentCommand
        RegistryCommands parent;
        @Option(names = "--scope", required = true, paramLabel = "NAME")
        String scope;

        @Override
        public Integer call() {
            parent.out().println("current: " + parent.open().rollback(scope).id());
            return 0;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true, description = "Registers an existing model file.")
    static final class Register implements Callable<Integer> {
        @ParentCommand
        RegistryCommands parent;
        @Option(names = "--scope", required = true, paramLabel = "NAME")
        String scope;
        @Option(names = "--model", required = true, paramLabel = "FILE")
        Path model;
        @Option(names = "--note", paramLabel = "TEXT")
        String note;
        @Option(names = "--descriptor", paramLabel = "FILE", description = "a ModelDescriptor in protobuf text format "
                + "(training range, metrics, event thresholds) shipped with the model; --note replaces its note")
        Path descriptor;
        @Option(names = "--if-absent", description = "only when the scope has no current model (a first run's default)")
        boolean ifAbsent;
        @Option(names = "--no-activate")
        boolean noActivate;

        @Override
        public Integer call() throws java.io.IOException {
            ModelRegistry registry = parent.open();
            if (ifAbsent) {
                var current = registry.current(scope);
                if (current.isPresent()) {
                    parent.out().println("kept: " + current.get().id());
                    return 0;
                }
            }
            // What the scorer will do with it: a file it cannot serve is refused here, not found out in production.
            try (OnnxModel onnx = OnnxSessionFactory.open(model, OnnxSessionFactory.Options.cpu(1))) {
                new SsmtlScorer(onnx, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.valueOf(
                        TaskCalibration.DEFAULT_MODE));
            }
            ModelDescriptor.Builder d = ModelDescriptor.newBuilder();
            if (descriptor != null) {
                com.google.protobuf.TextFormat.getParser().merge(java.nio.file.Files.readString(descriptor), d);
            }
            if (note != null) {
                d.setNote(note);
            }
            ModelRegistry.Entry e = registry.register(scope, model, d.build(), !noActivate);
            parent.out().println("registered: " + e.id() + (noActivate ? "" : " (current)"));
            return 0;
        }
    }

    @Command(name = "zone", mixinStandardHelpOptions = true, description = "Sets (or with --remove, removes) one of a "
            + "camera's ignore zones: a polygon in frame fractions whose objects are not scored or raise no event.")
    static final class Zone implements Callable<Integer> {
        @ParentCommand
        RegistryCommands parent;
        @Option(names = "--camera", required = true, paramLabel = "ID")
        String camera;
        @Option(names = "--name", required = true, paramLabel = "NAME")
        String name;
        @Option(names = "--polygon", paramLabel = "X,Y,...", split = ",", description = "at least 3 points, each x,y in "
                + "[0,1] of the frame's width and height, e.g. 0,0.6,1,0.6,1,1,0,1 for the lower 40%")
        List<Float> polygon = List.of();
        @Option(names = "--mode", paramLabel = "MODE", description = "not-scored (the scorer skips the object) or "
                + "not-alerted (scored, but no event) (default: ${DEFAULT-VALUE})")
        String mode = "not-scored";
        @Option(names = "--remove")
        boolean remove;

        @Override
        public Integer call() {
            IgnoreZone zone = IgnoreZone.newBuilder().setName(name).addAllXy(polygon)
                    .setMode(IgnoreMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT).replace('-', '_'))).build();
            CameraSettings next = parent.open().updateCameraSettings(camera,
                    old -> remove ? IgnoreZones.without(old, name) : IgnoreZones.with(old, zone));
            parent.out().println("camera " + camera + ": " + next.getIgnoreZonesCount() + " ignore zones");
            return 0;
        }
    }

    @Command(name = "camera", mixinStandardHelpOptions = true, description = "Sets which scope's model scores a camera "
            + "(a scene several cameras share).")
    static final class Camera implements Callable<Integer> {
        @ParentCommand
        RegistryCommands parent;
        @Option(names = "--camera", required = true, paramLabel = "ID")
        String camera;
        @Option(names = "--scene", required = true, paramLabel = "NAME", description = "the scope; the camera's own id "
                + "to undo")
        String scene;

        @Override
        public Integer call() {
            ModelRegistry r = parent.open();
            CameraSettings old = r.cameraSettings().getOrDefault(camera, CameraSettings.newBuilder().setCameraId(camera).build());
            if (!ModelRegistry.isScopeName(scene)) {
                throw new IllegalArgumentException("'" + scene + "' is not a scope name");
            }
            r.putCameraSettings(old.toBuilder().setScope(scene.equals(camera) ? "" : scene).build());
            parent.out().println("camera " + camera + " is scored by scope " + scene);
            return 0;
        }
    }
}
