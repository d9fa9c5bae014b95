package io.vigil.scorer;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.common.kafka.TransactionalClients;
import io.vigil.common.kafka.TransactionalLoop;
import io.vigil.common.onnx.OnnxSessionFactory;
import io.vigil.proto.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.util.ArrayList;
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
    private final List<TransactionalLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
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
        ScoringHandler handler = new ScoringHandler(model, registry);
        for (int i = 0; i < config.consumers(); i++) {
            String id = GROUP_ID + "-" + instance + "-" + i;
            TransactionalLoop loop = new TransactionalLoop(
                    TransactionalClients.consumer(kafkaConfig, GROUP_ID, id, config.maxBatch() * 2, config.maxWait()),
                    TransactionalClients.producer(kafkaConfig, id), Topics.SEQUENCES, ScoringHandler.STAGE, config.maxBatch(),
                    config.maxWait(), handler);
            loops.add(loop);
            Thread t = new Thread(loop, "scorer-" + i);
            threads.add(t);
            t.start();
        }
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
        loops.forEach(TransactionalLoop::stop);
        for (Thread t : threads) {
            t.join(30_000);
        }
        if (model != null) {
            model.close();
        }
    }

    List<TransactionalLoop> loops() {
        return loops;
    }

    String modelVersion() {
        return model.versionId();
    }
}
