package io.vigil.common.scoring;

import io.vigil.common.registry.ModelRegistry;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxMetadata;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import io.vigil.vision.onnx.proto.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A model in use and its version ({@code file@sha256-prefix}, or {@code scope/vN@sha256-prefix} from the registry).
 * {@link #reloadIfChanged()} loads a changed model next to the running one and swaps it in atomically: a batch is
 * scored entirely by one version, and every score carries it. The previous session is closed once no batch uses it.
 */
public final class ScoringModel implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScoringModel.class);

    /** A loaded model, reference-counted by the batches using it. */
    public static final class Version {
        final SsmtlScorer scorer;
        final String id;
        final OnnxModel model;
        private int users;
        private boolean retired;

        Version(OnnxModel model, SsmtlScorer scorer, String id) {
            this.model = model;
            this.scorer = scorer;
            this.id = id;
        }

        public SsmtlScorer scorer() {
            return scorer;
        }

        public String id() {
            return id;
        }

        synchronized void retire() {
            retired = true;
            closeIfUnused();
        }

        synchronized boolean acquire() {
            if (retired) {
                return false;
            }
            users++;
            return true;
        }

        public synchronized void release() {
            users--;
            closeIfUnused();
        }

        private void closeIfUnused() {
            if (retired && users == 0) {
                model.close();
            }
        }
    }

    /** Where a model is now: its file, how scores name it, and a stamp that changes whenever the model does. */
    public record Located(Path file, String name, Object stamp) {
    }

    /** Where to look for the model ({@code locate} gives null while there is none). */
    public record Source(String description, Supplier<Located> locate) {
    }

    /** A model file watched for changes (size and modification time); while it is missing, nothing changes. */
    public static Source file(Path file) {
        return new Source(file.toAbsolutePath().toString(), () -> {
            if (!Files.exists(file)) {
                return null;
            }
            try {
                return new Located(file, file.getFileName().toString(), List.of(Files.getLastModifiedTime(file),
                        Files.size(file)));
            } catch (IOException e) {
                throw new ModelLoadException("SSMTL model file not readable: " + file.toAbsolutePath(), e);
            }
        });
    }

    /** A registry scope's current version (registered versions never change, so the version is the stamp). */
    public static Source registered(ModelRegistry registry, String scope) {
        return new Source(scope + " in " + registry.root(), () -> registry.current(scope)
                .map(e -> new Located(e.model(), e.scope() + "/v" + e.version(), e.version())).orElse(null));
    }

    private final Source source;
    private final OnnxSessionFactory.Options options;
    /** Null: each model's own ({@link SsmtlScorer#modelTasks}). */
    private final Set<SsmtlScorer.Task> tasks;
    private final TaskCalibration.Mode mode;
    private final AtomicReference<Version> current = new AtomicReference<>();
    private volatile Object loadedStamp;
    private volatile boolean closed;

    /** @param tasks the tasks to score with; null: each model's own */
    public ScoringModel(Source source, OnnxSessionFactory.Options options, Set<SsmtlScorer.Task> tasks,
            TaskCalibration.Mode mode) {
        this.source = source;
        this.options = options;
        this.tasks = tasks;
        this.mode = mode;
        Located at = source.locate().get();
        if (at == null) {
            throw new ModelLoadException("no SSMTL model: " + source.description());
        }
        current.set(load(at));
    }

    private Version load(Located at) {
        byte[] bytes;
        ModelProto proto;
        try {
            // Read once: its cues, its graph and its version id come from the same bytes, even if the file is replaced.
            bytes = Files.readAllBytes(at.file());
            proto = ModelProto.parseFrom(bytes);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("ONNX model file not found: " + at.file().toAbsolutePath(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot load ONNX model " + at.file().toAbsolutePath() + ": " + e.getMessage(), e);
        }
        Set<SsmtlScorer.Task> used = tasks != null ? tasks : SsmtlScorer.modelTasks(OnnxMetadata.of(proto));
        OnnxModel model = OnnxSessionFactory.open(at.file(), proto, options, SsmtlScorer.modelOutputs(used));
        try {
            SsmtlScorer scorer = new SsmtlScorer(model, used, mode);
            Version v = new Version(model, scorer, at.name() + "@" + ModelRegistry.sha256(bytes).substring(0, 12));
            loadedStamp = at.stamp();
            LOG.infof("model %s loaded on %s: %d frames, %d px crops, tasks %s, combined by the %s", v.id, model.device(),
                    scorer.frames(), scorer.cropSize(), scorer.tasks(), scorer.combination() == SsmtlScorer.Combination.RAREST
                            ? "rarest cue" : "cues' mean");
            return v;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Uses the current version for one batch; returns it acquired, to be released ({@link Version#release}) after it. */
    public Version acquire() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("model " + current.get().id + " is closed");
            }
            Version v = current.get();
            if (v.acquire()) {
                return v;
            }
        }
    }

    public String versionId() {
        return current.get().id;
    }

    /** Loads the model again if it changed; a broken new version keeps the running one (and is logged). */
    public synchronized boolean reloadIfChanged() {
        if (closed) {
            return false;
        }
        Version running = current.get();
        try {
            Located at = source.locate().get();
            if (at == null || at.stamp().equals(loadedStamp)) {
                return false;
            }
            Version next = load(at);
            if (next.id.equals(running.id)) {
                next.retire();
                return false;
            }
            Version old = current.getAndSet(next);
            old.retire();
            LOG.infof("model reloaded: %s -> %s", old.id, next.id);
            return true;
        } catch (RuntimeException e) {
            LOG.errorf("new model not usable, keeping %s: %s", running.id, e.getMessage());
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        current.get().retire();
    }
}
