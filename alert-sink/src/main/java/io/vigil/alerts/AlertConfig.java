package io.vigil.alerts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.FrameScorer;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code vigil.alerts.*}: frame scores, smoothing, event rules, thumbnails, the webhook and the views.
 *
 * <p>Thresholds are on the frame score's scale, which is the object scores' scale (the scorer's calibration: with
 * the default surprise scale, a frame scores s when its most unusual object is one that one in 10^s normal objects
 * of the model's calibration videos matches; a frame without objects scores 0).
 */
@ConfigMapping(prefix = "vigil.alerts")
public interface AlertConfig {

    /** Side in pixels of the spatial mean filter over the object-score map; 0 = none (the map's maximum). */
    @WithDefault("0")
    @Min(0)
    int meanFilterSize();

    /**
     * How a frame's object scores become its score: CROWD_ADJUSTED, how rare the highest of its n objects is among n
     * normal ones (a crowd's maximum is high by itself; for the surprise scale), or MAXIMUM, the paper's.
     */
    @WithDefault(FrameScorer.Aggregation.DEFAULT)
    FrameScorer.Aggregation frameAggregation();

    /** Gaussian temporal smoothing, in frames; 0 = none. */
    @WithDefault(AlertTimeline.Settings.SIGMA)
    @DecimalMin("0")
    double sigma();

    /** Look-ahead bound of the smoothing in frames: the latency it adds is min(ceil(3 sigma), this). */
    @WithDefault(AlertTimeline.Settings.MAX_LOOKAHEAD)
    @Min(0)
    int maxLookahead();

    /** A frame whose objects are not all scored is final once scores arrived for a frame this many frames later. */
    @WithDefault(AlertTimeline.Settings.COMPLETION_HORIZON)
    @Positive
    int completionHorizon();

    /**
     * A jump of the frame index larger than this, ahead or back (a camera that numbers from 0 again), ends the
     * camera's segment (its running event closes) and starts a new one; smaller gaps count as frames with score 0.
     */
    @WithDefault(AlertTimeline.Settings.MAX_FRAME_GAP)
    @Positive
    int maxFrameGap();

    /** Most frames of one camera waiting for their object scores; beyond that the oldest is scored as it is. */
    @WithDefault(AlertTimeline.Settings.MAX_PENDING_FRAMES)
    @Positive
    int maxPendingFrames();

    /**
     * A camera without input for this long is forgotten: its timeline, kept frames, metrics and place on the page
     * (its events stay on the events topic and the page's list).
     */
    @WithDefault("24h")
    Duration cameraRetention();

    /** A camera with waiting frames and no input for this long is flushed (end of a file, a stalled stream). */
    @WithDefault("10s")
    Duration idleTimeout();

    /**
     * A camera whose source ended is flushed as soon as its last frame is final; when scores never come for some of
     * its last objects (dropped upstream), after this long without input.
     */
    @WithDefault("2m")
    Duration endOfSourceTimeout();

    @WithDefault("1s")
    Duration punctuateInterval();

    /** At shutdown Kafka Streams closes within this; past it the process ends without it (exactly once is kept). */
    @WithDefault("10s")
    Duration closeTimeout();

    Events events();

    /**
     * The model registry (the scorers' {@code vigil.scorer.registry}, mounted read-only): each camera's event thresholds
     * come from its model's calibration or its camera settings there. Absent: the {@code events} thresholds for all.
     */
    Optional<Path> registry();

    /** How often the registry is read again for new thresholds. */
    @WithDefault("10s")
    Duration registryRefresh();

    /** Per camera, thresholds that override the registry's: {@code vigil.alerts.cameras."cam-7".open-threshold=4}. */
    Map<String, CameraEvents> cameras();

    interface CameraEvents {
        float openThreshold();

        float closeThreshold();
    }

    Thumbnails thumbnails();

    Webhook webhook();

    View view();

    Auth auth();

    Clips clips();

    /** Each event's clip ({@code GET /events/{id}/clip.mp4}), made from {@code vigil.frames} on request. */
    interface Clips {
        /** Seconds of video before the event's start and after its end. */
        @WithDefault("3s")
        Duration margin();

        /** Frames in a clip at most (at 10 frames/s, five minutes). */
        @WithDefault("3000")
        @Positive
        int maxFrames();

        /** How long reading the frames (or waiting for another clip) may take. */
        @WithDefault("20s")
        Duration readTimeout();

        /** How long encoding one clip may take; past it the request gets 503 (frames come from a topic anyone may write). */
        @WithDefault("30s")
        Duration encodeTimeout();

        /** Clips kept for the next viewer. */
        @WithDefault("16")
        @Positive
        int cacheSize();
    }

    interface Events {
        /** An event starts at a smoothed frame score at or above this (3: rarer than one in 1000 normal objects). */
        @WithDefault(EventDetector.Settings.OPEN_THRESHOLD)
        float openThreshold();

        /** ... and lasts while the score stays at or above this (hysteresis). */
        @WithDefault(EventDetector.Settings.CLOSE_THRESHOLD)
        float closeThreshold();

        /** Frames an event must last before it is announced. */
        @WithDefault(EventDetector.Settings.MIN_DURATION)
        @Positive
        int minDuration();

        /** A dip below the close threshold of at most this many frames continues the event. */
        @WithDefault(EventDetector.Settings.MERGE_GAP)
        @Min(0)
        int mergeGap();

        /** Frames after an event's end during which no new event starts. */
        @WithDefault(EventDetector.Settings.COOLDOWN)
        @Min(0)
        int cooldown();

        /** At most one UPDATE (new peak) per this many frames; 0 = every new peak. CLOSED has the final peak. */
        @WithDefault(EventDetector.Settings.MIN_UPDATE_GAP)
        @Min(0)
        int minUpdateGap();
    }

    interface Thumbnails {
        /** Keep frames to draw the peak frame of each event; off = events without thumbnail, frames not read. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("320")
        @Min(16)
        int maxWidth();

        @WithDefault("80")
        @Min(1)
        @Max(100)
        int quality();

        /** Frames kept per camera at most, whatever the pipeline's lag. */
        @WithDefault("600")
        @Positive
        int maxFramesPerCamera();
    }

    interface Webhook {
        /** Where events are POSTed as JSON; unset = no webhook. */
        Optional<URI> url();

        /** Hosts the webhook may call (exact host names); the URL's host must be listed. */
        Optional<List<String>> allowedHosts();

        /** Sent as the Authorization header; never logged. */
        Optional<String> authorization();

        @WithDefault("5")
        @Positive
        int maxAttempts();

        @WithDefault("500ms")
        Duration initialBackoff();

        @WithDefault("30s")
        Duration maxBackoff();

        @WithDefault("5s")
        Duration timeout();
    }

    interface View {
        /** Events the REST API and the page keep (the newest). */
        @WithDefault("10000")
        @Positive
        int maxEvents();

        /** Clients of {@code /events/stream} at once; one more gets 503 (each holds a connection and a listener). */
        @WithDefault("100")
        @Positive
        int maxStreamClients();

        /** Frame scores kept per camera for the timeline. */
        @WithDefault("1200")
        @Positive
        int timelinePoints();

        /** Cameras with a timeline at most; the one updated longest ago goes first (also after camera-retention). */
        @WithDefault("10000")
        @Positive
        int maxCameras();

        /** Per user, clients of {@code /events/stream} at once (one viewer must not take every slot). */
        @WithDefault("10")
        @Positive
        int maxStreamClientsPerUser();
    }

    /**
     * Who may call the API and the page. Tokens are JWTs, verified with {@code mp.jwt.verify.publickey.location}
     * (a PEM key, or a cluster identity provider's JWKS URL) and {@code mp.jwt.verify.issuer}; roles come from their
     * {@code groups} claim ({@code smallrye.jwt.path.groups} for another claim): {@code viewer} reads,
     * {@code operator} also reviews events.
     */
    interface Auth {
        /** Off: every endpoint is open to anyone who reaches the port; only for a network nobody else is on. */
        @WithDefault("true")
        boolean enabled();

        /** The built-in user store ({@code vigil-local} writes it); with it, {@code POST /auth/login} issues tokens. */
        Optional<Path> usersFile();

        /** PEM (PKCS#8) RSA private key that signs the built-in login's tokens; required with a users file. */
        Optional<Path> signingKey();

        /** How long a token from the built-in login lasts. */
        @WithDefault("8h")
        Duration tokenLifetime();

        /**
         * Failed logins in a row after which a user name is locked out for {@code lockout}, from that client address
         * only (so guessing from one place cannot lock the real user out).
         */
        @WithDefault("5")
        @Positive
        int maxFailedLogins();

        @WithDefault("1m")
        Duration lockout();

        /** Logins checked per second at most, across all users (each costs a password hash). */
        @WithDefault("10")
        @Positive
        int maxLoginsPerSecond();

        /** Logins checked per second at most from one client address (so one cannot take them all). */
        @WithDefault("5")
        @Positive
        int maxLoginsPerSecondPerClient();

        /** Reviews (acknowledge, resolve) one user may post per minute. */
        @WithDefault("60")
        @Positive
        int maxReviewsPerMinute();
    }
}
