package io.vigil.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.ShutdownEvent;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.registry.CameraEventSettings;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.common.scoring.EventDetector;
import io.vigil.kafka.BoundedClose;
import io.vigil.kafka.RecordTracing;
import io.vigil.kafka.streams.RecordGuard;
import io.vigil.proto.v1.EventThresholds;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.Thumbnails;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.jboss.logging.Logger;

/** The topology for Quarkus' Kafka Streams extension, built from configuration. */
@ApplicationScoped
public class AlertSetup {

    private static final Logger LOG = Logger.getLogger(AlertSetup.class);
    private static final String FRAMES_METER = "vigil.alerts.frames";
    private static final String SCORE_METER = "vigil.alerts.frame.score";
    private static final String LATENCY_METER = "vigil.alerts.frame.latency";

    public static AlertTimeline.Settings timelineSettings(AlertConfig config) {
        AlertConfig.Events e = config.events();
        return new AlertTimeline.Settings(config.meanFilterSize(), config.frameAggregation(), config.sigma(), config.maxLookahead(),
                config.completionHorizon(), config.maxFrameGap(), config.maxPendingFrames(), new EventDetector.Settings(e.openThreshold(), e.closeThreshold(),
                        e.minDuration(), e.mergeGap(), e.cooldown(), e.minUpdateGap()));
    }

    /** Each camera's thresholds: configured, from the registry, or the defaults; read again every refresh interval. */
    @Produces
    @ApplicationScoped
    CameraEventSettings cameraEventSettings(AlertConfig config) {
        Map<String, EventThresholds> configured = new java.util.HashMap<>();
        config.cameras().forEach((camera, c) -> configured.put(camera, EventThresholds.newBuilder()
                .setOpen(c.openThreshold()).setClose(c.closeThreshold()).build()));
        CameraEventSettings settings = new CameraEventSettings(timelineSettings(config).events(), configured,
                config.registry().map(ModelRegistry::new));
        config.registry().ifPresent(dir -> {
            Runnable refresh = () -> {
                try {
                    settings.refresh();
                } catch (RuntimeException e) {
                    // A bad registry must not stop the alerts: the cameras keep the thresholds read before.
                    LOG.errorf("model registry %s not readable, keeping the thresholds read before: %s", dir, e.getMessage());
                }
            };
            refresh.run();
            long ms = config.registryRefresh().toMillis();
            registryRefresh = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "registry-refresh"));
            registryRefresh.scheduleWithFixedDelay(refresh, ms, ms, TimeUnit.MILLISECONDS);
            LOG.infof("per-camera event thresholds from the model registry %s (read every %d ms)", dir, ms);
        });
        return settings;
    }

    private ScheduledExecutorService registryRefresh;

    @Produces
    Topology topology(AlertConfig config, MeterRegistry registry, CameraEventSettings cameraEvents, OpenTelemetry openTelemetry) {
        AlertTimeline.Settings timeline = timelineSettings(config);
        AlertConfig.Thumbnails t = config.thumbnails();
        AlertTopology.CameraRules rules = new AlertTopology.CameraRules() {
            @Override
            public AlertTimeline.Settings timeline(String camera, AlertTimeline.Settings service) {
                return cameraEvents.forCamera(camera).timeline(service);
            }

            @Override
            public Optional<String> notAlertedZone(ObjectScore score) {
                return cameraEvents.notAlertedZone(score).map(IgnoreZone::getName);
            }
        };
        AlertTopology.Settings settings = new AlertTopology.Settings(timeline, rules,
                t.enabled() ? new Thumbnails(new ImageCodec(), t.maxWidth(), t.quality()) : null, t.maxFramesPerCamera(),
                config.idleTimeout(), config.endOfSourceTimeout(), config.punctuateInterval(), config.cameraRetention());
        LOG.infof("frame scores: %s, mean filter %d px, Gaussian sigma %.1f frames, look-ahead %d frames (the latency it "
                + "adds); events: open >= %.3f, close < %.3f, min %d frames, merge gap %d, cooldown %d; thumbnails %s",
                timeline.aggregation(), config.meanFilterSize(), config.sigma(), timeline.lookahead(),
                timeline.events().openThreshold(), timeline.events().closeThreshold(), timeline.events().minDuration(),
                timeline.events().mergeGap(), timeline.events().cooldown(), t.enabled() ? "on" : "off");
        Map<String, AtomicReference<Double>> latest = new ConcurrentHashMap<>();
        Map<String, Timer> latency = new ConcurrentHashMap<>();
        RecordGuard.KINDS.forEach(kind -> registry.counter("vigil.alerts.rejected", "kind", kind));
        return AlertTopology.build(settings, new AlertMetrics() {
            @Override
            public void frameScored(String camera, float smoothed, long captureTimeMs) {
                registry.counter(FRAMES_METER, "camera", camera).increment();
                latest.computeIfAbsent(camera, c -> registry.gauge(SCORE_METER, Tags.of("camera", c),
                        new AtomicReference<>(0.0), AtomicReference::get)).set((double) smoothed);
                if (captureTimeMs > 0) {
                    // The chain's end-to-end latency: capture to frame score, the method's own waiting included.
                    // Built once per camera, as the score gauge is: this runs for every frame.
                    latency.computeIfAbsent(camera, c -> Timer.builder(LATENCY_METER)
                            .description("From a frame's capture to its frame score").tag("camera", c)
                            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                            .maximumExpectedValue(Duration.ofMinutes(5)).register(registry))
                            .record(Math.max(0, System.currentTimeMillis() - captureTimeMs), TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void forget(String camera) {
                latest.remove(camera);
                latency.remove(camera);
                registry.find(FRAMES_METER).tag("camera", camera).meters().forEach(registry::remove);
                registry.find(SCORE_METER).tag("camera", camera).meters().forEach(registry::remove);
                registry.find(LATENCY_METER).tag("camera", camera).meters().forEach(registry::remove);
            }

            @Override
            public void announced(String state) {
                registry.counter("vigil.alerts.events", "state", state).increment();
            }

            @Override
            public void rejected(String kind) {
                registry.counter("vigil.alerts.rejected", "kind", kind).increment();
            }
        }, new RecordTracing(openTelemetry));
    }

    /**
     * Closes the stream within {@code vigil.alerts.close-timeout}, before the Kafka Streams extension's own close, which
     * waits without limit (a broker that is gone kept a stopping service alive for minutes).
     */
    void closeStreams(@Observes @Priority(1) ShutdownEvent event, KafkaStreams streams, AlertConfig config) {
        if (registryRefresh != null) {
            registryRefresh.shutdownNow();
        }
        BoundedClose.closeOrHalt("Kafka Streams", config.closeTimeout(), streams::close);
    }
}
