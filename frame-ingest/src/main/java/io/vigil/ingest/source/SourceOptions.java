package io.vigil.ingest.source;

import java.time.Duration;

/**
 * How sources decode and reconnect.
 *
 * @param jpegQuality      quality of JPEGs the service encodes (folders of JPEGs pass through unchanged)
 * @param folderFps        nominal frame rate of image folders, for capture times (Ped2: 10)
 * @param maxPixels        larger frames are rejected (decompression bombs, misconfigured cameras)
 * @param reconnectInitial first wait after a live stream drops
 * @param reconnectMax     cap of the exponentially growing wait
 * @param liveReadTimeout  a live read that blocks this long counts as a drop
 */
public record SourceOptions(int jpegQuality, double folderFps, long maxPixels, Duration reconnectInitial,
        Duration reconnectMax, Duration liveReadTimeout) {

    public SourceOptions {
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("jpeg quality must be 1..100, got " + jpegQuality);
        }
        if (folderFps <= 0) {
            throw new IllegalArgumentException("folder fps must be positive, got " + folderFps);
        }
    }

    public static SourceOptions defaults() {
        return new SourceOptions(90, 10, io.vigil.vision.image.ImageCodec.DEFAULT_MAX_PIXELS, Duration.ofMillis(500),
                Duration.ofSeconds(30), Duration.ofSeconds(10));
    }
}
