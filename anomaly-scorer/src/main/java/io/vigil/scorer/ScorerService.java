package io.vigil.scorer;

import io.vigil.common.scoring.CameraModels;
import io.vigil.common.scoring.ScoringModel;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.kafka.LoopGroup;
import io.vigil.kafka.TransactionalLoop;
import io.vigil.proto.Topics;
import io.vigil.vision.onnx.OnnxSessionFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Loads the default model at start-up (a missing or unfitting model stops the service), runs the scoring loops
 * (exactly once per sequence, see {@link TransactionalLoop}) with each camera's model ({@link CameraModels}), and
 * checks the model file and the registry for new versions.
 */
@ApplicationScoped
public class ScorerService {

    static final String GROUP_ID = "vigil-anomaly-scorer";

    private final ScorerConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private LoopGroup loops;
    private CameraModels models;
    private ScheduledExecutorService reloader;

    public ScorerService(ScorerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            MeterRegistry registry) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        OnnxSessionFactory.Options withArena = new OnnxSessionFactory.Options(config.device(), config.intraOpThreads(), 0);
        OnnxSessionFactory.Options options = config.memoryArena() ? withArena : withArena.withoutMemoryArena();
        Function<ScoringModel.Source, ScoringModel> loader = source -> new ScoringModel(source, options, config.tasks().orElse(null),
                config.calibration());
        models = new CameraModels(loader.apply(ScoringModel.file(config.model())), config.registry().map(ModelRegistry::new),
                config.maxLoadedModels(), loader);
        registry.gauge("vigil.scorer.model.reloads", this, s -> s.reloads);
        registry.gauge("vigil.scorer.models.loaded", models, CameraModels::loadedCount);
        registry.more().counter("vigil.scorer.models.evictions", List.of(), models, CameraModels::evictions);
        registry.more().counter("vigil.scorer.models.load-failures", List.of(), models, CameraModels::loadFailures);
        String instance = config.instanceId().orElse(InetAddress.getLocalHost().getHostName());
        loops = LoopGroup.start(kafkaConfig, new LoopGroup.Spec(GROUP_ID, instance, config.consumers(), Topics.SEQUENCES,
                ScoringHandler.STAGE, config.maxBatch(), config.maxBatch() * 2, config.maxWait(),
                new ScoringHandler(models, registry), "scorer"));
        if (!config.reloadInterval().isZero()) {
            reloader = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "model-reload"));
            long ms = config.reloadInterval().toMillis();
            reloader.scheduleWithFixedDelay(() -> reloads += models.refresh(), ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private volatile double reloads;

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (reloader != null) {
            reloader.shutdownNow();
        }
        if (loops != null) {
            loops.stop(Duration.ofSeconds(30));
        }
        if (models != null) {
            models.close();
        }
    }

    List<TransactionalLoop> loops() {
        return loops == null ? List.of() : loops.loops();
    }

    String modelVersion() {
        return models.defaultVersion();
    }

    int cameraModelsLoaded() {
        return models.loadedCount();
    }
}
