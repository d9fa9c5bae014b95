package io.vigil.scorer;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.common.scoring.CameraModels;
import io.vigil.common.scoring.ScoringRuntime;
import io.vigil.kafka.LoopGroup;
import io.vigil.kafka.RecordTracing;
import io.vigil.kafka.TransactionalLoop;
import io.vigil.proto.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private final RecordTracing tracing;
    private LoopGroup loops;
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    private ScoringRuntime scoring;

    public ScorerService(ScorerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            MeterRegistry registry, OpenTelemetry openTelemetry) {
        this.config = config;
        this.tracing = new RecordTracing(openTelemetry);
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        scoring = new ScoringRuntime(config.model(), config);
        CameraModels models = scoring.models();
        registry.gauge("vigil.scorer.model.reloads", scoring, ScoringRuntime::reloads);
        registry.gauge("vigil.scorer.models.loaded", models, CameraModels::loadedCount);
        registry.more().counter("vigil.scorer.models.evictions", List.of(), models, CameraModels::evictions);
        registry.more().counter("vigil.scorer.models.load-failures", List.of(), models, CameraModels::loadFailures);
        String instance = config.instanceId().orElse(InetAddress.getLocalHost().getHostName());
        loops = LoopGroup.start(kafkaConfig, new LoopGroup.Spec(GROUP_ID, instance, config.consumers(), Topics.SEQUENCES,
                ScoringHandler.STAGE, config.maxBatch(), config.maxBatch() * 2, config.maxWait(), config.commitInterval(),
                new ScoringHandler(models, registry), "scorer", tracing));
        // Consumer lag and the rest of the clients' metrics on /q/metrics (the Quarkus binder sees only its own clients).
        loops.consumers().forEach(c -> clientMetrics.add(bind(new KafkaClientMetrics(c))));
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loops != null) {
            loops.stop(Duration.ofSeconds(30));
        }
        clientMetrics.forEach(KafkaClientMetrics::close);
        if (scoring != null) {
            scoring.close();
        }
    }

    private KafkaClientMetrics bind(KafkaClientMetrics metrics) {
        metrics.bindTo(registry);
        return metrics;
    }

    List<TransactionalLoop> loops() {
        return loops == null ? List.of() : loops.loops();
    }

    String modelVersion() {
        return scoring.models().defaultVersion();
    }

    int cameraModelsLoaded() {
        return scoring.models().loadedCount();
    }
}
