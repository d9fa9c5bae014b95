package io.vigil.common.registry;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.EventThresholds;
import io.vigil.proto.v1.FrameAggregation;
import io.vigil.proto.v1.FrameSmoothing;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ObjectScore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Each camera's event rules. Its thresholds are the first found of: the service's configuration for that camera, the
 * camera's override in the registry's camera settings, the thresholds calibrated with its scope's current model, the
 * service's defaults. Thresholds that name the frame aggregation and smoothing they were chosen on bring them along;
 * thresholds that make no sense (close above open, a smoothing no stream could keep) are set aside for the defaults, so
 * one bad descriptor never stops a camera's alerts. Objects in its
 * NOT_ALERTED ignore zones raise no event. A snapshot: {@link #refresh} reads the registry (first) (a new model brings
 * its thresholds), lookups never touch disk.
 */
public final class CameraEventSettings {

    /** Where a camera's thresholds came from (for logs and the API). */
    public enum Origin {
        CONFIGURATION, CAMERA_OVERRIDE, MODEL, DEFAULT
    }

    /**
     * A camera's event rules and, when its thresholds say which, the frame aggregation and the smoothing they were
     * chosen on (empty: the service's own).
     */
    public record Resolved(EventDetector.Settings settings, Optional<FrameScorer.Aggregation> aggregation,
            Optional<Smoothing> smoothing, Origin origin, String detail) {

        /** The service's frame scoring with this camera's rules, aggregation and smoothing. */
        public AlertTimeline.Settings timeline(AlertTimeline.Settings service) {
            AlertTimeline.Settings own = service.withEvents(settings);
            AlertTimeline.Settings aggregated = aggregation.map(own::withAggregation).orElse(own);
            return smoothing.map(s -> aggregated.withSmoothing(s.sigma(), s.maxLookahead())).orElse(aggregated);
        }
    }

    /** A Gaussian of {@code sigma} frames reaching at most {@code maxLookahead} frames either side. */
    public record Smoothing(double sigma, int maxLookahead) {
        /** Beyond these a stream would wait minutes for a frame's score: no calibration asks for it. */
        public static final double MAX_SIGMA = 100;
        public static final int MAX_LOOKAHEAD = 300;

        public Smoothing {
            if (!(sigma >= 0 && sigma <= MAX_SIGMA) || maxLookahead < 0 || maxLookahead > MAX_LOOKAHEAD) {
                throw new IllegalArgumentException("smoothing sigma must be in [0, " + MAX_SIGMA + "] and look-ahead in [0, "
                        + MAX_LOOKAHEAD + "], got " + sigma + " and " + maxLookahead);
            }
        }

        public static Optional<Smoothing> of(EventThresholds t) {
            return t.hasSmoothing() ? Optional.of(new Smoothing(t.getSmoothing().getSigma(), t.getSmoothing().getMaxLookahead()))
                    : Optional.empty();
        }

        public FrameSmoothing toProto() {
            return FrameSmoothing.newBuilder().setSigma((float) sigma).setMaxLookahead(maxLookahead).build();
        }
    }

    private final EventDetector.Settings defaults;
    private final Map<String, EventThresholds> configured;
    private final Optional<ModelRegistry> registry;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    private record Snapshot(Map<String, CameraSettings> cameras, Map<String, ModelRegistry.Entry> currentByScope) {
    }

    public CameraEventSettings(EventDetector.Settings defaults, Map<String, EventThresholds> configured,
            Optional<ModelRegistry> registry) {
        this.defaults = defaults;
        this.configured = Map.copyOf(configured);
        this.registry = registry;
        configured.forEach((camera, t) -> with(t)); // a bad configured pair fails at start-up
    }

    /** The registry the settings come from, when there is one: one instance per directory in a service. */
    public Optional<ModelRegistry> registry() {
        return registry;
    }

    /** Reads the registry again; when it cannot be read this throws, and the last snapshot stays in use. */
    public void refresh() {
        if (registry.isEmpty()) {
            return;
        }
        ModelRegistry r = registry.get();
        Map<String, ModelRegistry.Entry> current = new HashMap<>();
        for (String scope : r.scopes()) {
            r.current(scope).ifPresent(e -> current.put(scope, e));
        }
        snapshot = new Snapshot(r.cameraSettings(), current);
    }

    public Resolved forCamera(String cameraId) {
        EventThresholds t = configured.get(cameraId);
        if (t != null) {
            return resolved(t, Origin.CONFIGURATION, "configured for " + cameraId);
        }
        Snapshot s = snapshot;
        CameraSettings camera = s.cameras().get(cameraId);
        if (camera != null && camera.hasThresholds()) {
            return resolved(camera.getThresholds(), Origin.CAMERA_OVERRIDE, "camera settings in the registry");
        }
        if (registry.isPresent()) {
            Optional<String> scope = registry.get().scopeOf(cameraId, s.cameras());
            ModelRegistry.Entry model = scope.map(s.currentByScope()::get).orElse(null);
            if (model != null && model.descriptor().hasThresholds()) {
                return resolved(model.descriptor().getThresholds(), Origin.MODEL, "calibrated with " + model.id());
            }
        }
        return new Resolved(defaults, Optional.empty(), Optional.empty(), Origin.DEFAULT, "the service's defaults");
    }

    /** The camera's NOT_ALERTED zone that holds this object, if any. */
    public Optional<IgnoreZone> notAlertedZone(ObjectScore score) {
        return IgnoreZones.find(snapshot.cameras().get(score.getCameraId()), IgnoreMode.NOT_ALERTED,
                score.getDetection().getBox(), score.getFrameWidth(), score.getFrameHeight());
    }

    private EventDetector.Settings with(EventThresholds t) {
        if (!Float.isFinite(t.getOpen()) || !Float.isFinite(t.getClose())) {
            throw new IllegalArgumentException("thresholds must be finite, got " + t.getOpen() + " and " + t.getClose());
        }
        return defaults.withThresholds(t.getOpen(), t.getClose());
    }

    private Resolved resolved(EventThresholds t, Origin origin, String detail) {
        try {
            return new Resolved(with(t), aggregation(t.getAggregation()), Smoothing.of(t), origin, detail);
        } catch (IllegalArgumentException e) {
            return new Resolved(defaults, Optional.empty(), Optional.empty(), Origin.DEFAULT,
                    "the service's defaults: the thresholds " + detail + " were set aside (" + e.getMessage() + ")");
        }
    }

    /** The frame aggregation thresholds were chosen on, if they say. */
    public static Optional<FrameScorer.Aggregation> aggregation(FrameAggregation a) {
        return switch (a) {
            case FRAME_AGGREGATION_MAXIMUM -> Optional.of(FrameScorer.Aggregation.MAXIMUM);
            case FRAME_AGGREGATION_CROWD_ADJUSTED -> Optional.of(FrameScorer.Aggregation.CROWD_ADJUSTED);
            case FRAME_AGGREGATION_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    /** How thresholds chosen on frame scores of this aggregation say so. */
    public static FrameAggregation aggregation(FrameScorer.Aggregation a) {
        return switch (a) {
            case MAXIMUM -> FrameAggregation.FRAME_AGGREGATION_MAXIMUM;
            case CROWD_ADJUSTED -> FrameAggregation.FRAME_AGGREGATION_CROWD_ADJUSTED;
        };
    }
}
