package io.vigil.ingest.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code vigil.ingest.*}: the cameras of this instance and how they are read. */
@ConfigMapping(prefix = "vigil.ingest")
public interface IngestConfig {

    /** {@code stream}: run until stopped; {@code once}: publish every (finite) camera once, then exit. */
    @WithDefault("stream")
    Mode mode();

    /** Cameras by id; the id is the Kafka key of their frames. */
    Map<String, Camera> cameras();

    /** JPEG quality for frames the service encodes (video, PNG/TIFF, synthetic). JPEG folders pass through. */
    @WithDefault("90")
    @Min(1)
    @Max(100)
    int jpegQuality();

    /** Nominal frame rate of image folders, for capture times (UCSD Ped2: 10). */
    @WithDefault("10")
    @Positive
    double folderFps();

    /** Frames with more pixels are rejected (default 8K UHD). */
    @WithDefault("33177600")
    @Positive
    long maxFramePixels();

    /**
     * After a restart, a file or folder continues after the last frame this camera published (true), or is
     * published again from its start with indices after the last one (false). Frame indices never repeat.
     */
    @WithDefault("true")
    boolean resumeFinite();

    @WithName("reconnect")
    Reconnect reconnect();

    /** Producer settings on top of the {@code kafka.*} ones (which carry bootstrap servers, SASL/TLS). */
    Map<String, String> producer();

    interface Camera {
        /** File, folder, stream URL or {@code synthetic:?…}; see FrameSources. */
        @NotBlank
        String uri();

        /** Publish at most this many frames per second; 0 = as fast as possible. Default: files and live
         * streams unpaced, synthetic scenes at their own fps. */
        Optional<@Min(0) Double> fpsCap();

        /** Replay a finite source forever (load generation); frame indices keep increasing. */
        @WithDefault("false")
        boolean loop();

        @WithDefault("true")
        boolean enabled();
    }

    interface Reconnect {
        @WithDefault("500ms")
        Duration initialBackoff();

        @WithDefault("30s")
        Duration maxBackoff();

        /** A live read blocked this long counts as a dropped stream. */
        @WithDefault("10s")
        Duration readTimeout();
    }

    enum Mode {
        STREAM, ONCE
    }
}
