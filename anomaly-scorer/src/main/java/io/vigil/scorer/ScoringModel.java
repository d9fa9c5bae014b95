package io.vigil.scorer;

import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The model in use and its version ({@code file@sha256-prefix}). {@link #reloadIfChanged()} loads a changed file
 * next to the running one and swaps it in atomically: a batch is scored entirely by one version, and every score
 * carries it. The previous session is closed once no batch uses it.
 */
public final class ScoringModel implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScoringModel.class);

    /** A loaded model, reference-counted by the batches using it. */
    public static final class Version {
        final SsmtlScorer scorer;
        final String id;
        private final OnnxModel model;
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

        synchronized void release() {
            users--;
            closeIfUnused();
        }

        private void closeIfUnused() {
            if (retired && users == 0) {
                model.close();
            }
        }
    }

    private final Path file;
    private final OnnxSessionFactory.Options options;
    private final Set<SsmtlScorer.Task> tasks;
    private final TaskCalibration.Mode mode;
    private final AtomicReference<Version> current = new AtomicReference<>();
    private volatile FileTime loadedModified;
    private volatile long loadedSize;

    public ScoringModel(Path file, OnnxSessionFactory.Options options, Set<SsmtlScorer.Task> tasks, TaskCalibration.Mode mode) {
        this.file = file;
        this.options = options;
        this.tasks = tasks;
        this.mode = mode;
        current.set(load());
    }

    private Version load() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            OnnxModel model = OnnxSessionFactory.open(file, options);
            try {
                SsmtlScorer scorer = new SsmtlScorer(model, tasks, mode);
                Version v = new Version(model, scorer, file.getFileName() + "@" + sha256(file).substring(0, 12));
                loadedModified = modified;
                loadedSize = size;
                LOG.infof("model %s loaded on %s: %d frames, %d px crops, tasks %s", v.id, model.device(), scorer.frames(),
                        scorer.cropSize(), scorer.tasks());
                return v;
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        } catch (IOException e) {
            throw new io.vigil.vision.onnx.ModelLoadException("SSMTL model file not readable: " + file.toAbsolutePath(), e);
        }
    }

    /** Uses the current version for one batch; returns it acquired, to be released after the batch. */
    public Version acquire() {
        while (true) {
            Version v = current.get();
            if (v.acquire()) {
                return v;
            }
        }
    }

    public void release(Version v) {
        v.release();
    }

    public String versionId() {
        return current.get().id;
    }

    /** Loads the file again if it changed; a broken new file keeps the running version (and is logged). */
    public boolean reloadIfChanged() {
        try {
            if (!Files.exists(file) || (Files.getLastModifiedTime(file).equals(loadedModified) && Files.size(file) == loadedSize)) {
                return false;
            }
            Version next = load();
            if (next.id.equals(current.get().id)) {
                next.retire();
                return false;
            }
            Version old = current.getAndSet(next);
            old.retire();
            LOG.infof("model reloaded: %s -> %s", old.id, next.id);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.errorf("new model file %s not usable, keeping %s: %s", file, current.get().id, e.getMessage());
            return false;
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        current.get().retire();
    }
}
