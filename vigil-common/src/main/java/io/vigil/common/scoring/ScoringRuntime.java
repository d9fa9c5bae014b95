package io.vigil.common.scoring;

import io.vigil.common.registry.ModelRegistry;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The scoring step's models: the default model loaded at once (a missing or unfitting model throws, and the service
 * does not start), each camera's from the registry, as {@link ScoringSettings} say, and a tick that takes new
 * versions. Shared by every process that scores.
 */
public final class ScoringRuntime implements AutoCloseable {

    private final CameraModels models;
    private final ScheduledExecutorService reloader;
    private final AtomicLong reloads = new AtomicLong();

    public ScoringRuntime(Path defaultModel, ScoringSettings settings) {
        OnnxSessionFactory.Options withArena = new OnnxSessionFactory.Options(settings.device(), settings.intraOpThreads(), 0);
        OnnxSessionFactory.Options options = settings.memoryArena() ? withArena : withArena.withoutMemoryArena();
        Function<ScoringModel.Source, ScoringModel> loader = source -> new ScoringModel(source, options,
                settings.tasks().orElse(null), settings.calibration());
        models = new CameraModels(loader.apply(ScoringModel.file(defaultModel)),
                settings.registry().map(ModelRegistry::new), settings.maxLoadedModels(), loader);
        if (settings.reloadInterval().isZero()) {
            reloader = null;
        } else {
            reloader = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "model-reload"));
            long ms = settings.reloadInterval().toMillis();
            reloader.scheduleWithFixedDelay(() -> reloads.addAndGet(models.refresh()), ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    public CameraModels models() {
        return models;
    }

    /** Versions taken since start. */
    public long reloads() {
        return reloads.get();
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
        models.close();
    }
}
