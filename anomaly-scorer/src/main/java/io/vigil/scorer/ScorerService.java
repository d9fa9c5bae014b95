package io.vigil.scorer;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
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

/**
 * Loads the model at start-up (a missing or unfitting model stops the service), runs the scoring loops
 * (exactly once per sequence, see {@link TransactionalLoop}) and checks the model file for new versions.
 */
@ApplicationScoped
public class ScorerService {

    static final String GROUP_ID = "vigil-anomaly-scorer";

    private final ScorerConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private LoopGroup loops;
    private ScoringModel model;
    private ScheduledExecutorService reloader;

    public ScorerService(ScorerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            MeterRegistry registry) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        model = new ScoringModel(config.model(), new OnnxSessionFactory.Options(config.device(), config.intraOpThreads(), 0),
                config.tasks(), config.calibration());
        registry.gauge("vigil.scorer.model.reloads", this, s -> s.reloads);
        String instance = config.instanceId().orElse(InetAddress.getLocalHost().getHostName());
        loops = LoopGroup.start(kafkaConfig, new LoopGroup.Spec(GROUP_ID, instance, config.consumers(), Topics.SEQUENCES,
                ScoringHandler.STAGE, config.maxBatch(), config.maxBatch() * 2, config.maxWait(),
                new ScoringHandler(model, registry), "scorer"));
        if (!config.reloadInterval().isZero()) {
            reloader = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "model-reload"));
            long ms = config.reloadInterval().toMillis();
            reloader.scheduleWithFixedDelay(() -> {
                if (model.reloadIfChanged()) {
                    reloads++;
                }
            }, ms, ms, TimeUnit.MILLISECONDS);
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
        if (model != null) {
            model.close();
        }
    }

    List<TransactionalLoop> loops() {
        return loops == null ? List.of() : loops.loops();
    }

    String modelVersion() {
        return model.versionId();
    }
}
