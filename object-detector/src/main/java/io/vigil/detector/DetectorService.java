package io.vigil.detector;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vigil.kafka.LoopGroup;
import io.vigil.kafka.RecordTracing;
import io.vigil.kafka.TransactionalLoop;
import io.vigil.proto.Topics;
import io.vigil.vision.detect.FrameDetector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts the detector loops at start-up (after the model loaded) and stops them at shutdown. */
@ApplicationScoped
public class DetectorService {

    static final String GROUP_ID = "vigil-object-detector";

    private final DetectorConfig config;
    private final FrameDetector detector;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private final RecordTracing tracing;
    private LoopGroup loops;
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();

    public DetectorService(DetectorConfig config, FrameDetector detector,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry registry,
            OpenTelemetry openTelemetry) {
        this.config = config;
        this.tracing = new RecordTracing(openTelemetry);
        this.detector = detector;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        String instance = config.instanceId().orElse(InetAddress.getLocalHost().getHostName());
        loops = LoopGroup.start(kafkaConfig, new LoopGroup.Spec(GROUP_ID, instance, config.consumers(), Topics.FRAMES,
                DetectionHandler.STAGE, config.maxBatch(), config.maxBatch() * 4, config.maxWait(), config.commitInterval(),
                new DetectionHandler(detector, registry), "detector", tracing));
        // Consumer lag and the rest of the clients' metrics on /q/metrics (the Quarkus binder sees only its own clients).
        loops.consumers().forEach(c -> clientMetrics.add(bind(new KafkaClientMetrics(c))));
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loops != null) {
            loops.stop(Duration.ofSeconds(30));
        }
        clientMetrics.forEach(KafkaClientMetrics::close);
    }

    private KafkaClientMetrics bind(KafkaClientMetrics metrics) {
        metrics.bindTo(registry);
        return metrics;
    }

    List<TransactionalLoop> loops() {
        return loops == null ? List.of() : loops.loops();
    }

    String detectorName() {
        return detector.name();
    }
}
