package io.vigil.ingest.source;

import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.synthetic.SyntheticScene;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Opens a source from its URI:
 * <ul>
 *   <li>a path or {@code file:} URI: a folder of numbered images, or a video file in any format FFmpeg reads;</li>
 *   <li>{@code rtsp://}, {@code rtsps://}, {@code rtmp://}, {@code http://}, {@code https://}, {@code udp://},
 *       {@code srt://}: a live stream, reconnected with exponential backoff;</li>
 *   <li>{@code synthetic:?frames=300&walkers=6&anomalies=fast,backward,erratic,unusual&seed=1&labels=/tmp/gt}:
 *       a generated scene (see {@link SyntheticScene}); {@code frames=0} (default) runs forever.</li>
 * </ul>
 */
public final class FrameSources {

    private static final Set<String> LIVE_SCHEMES = Set.of("rtsp", "rtsps", "rtmp", "http", "https", "udp", "srt", "tcp");

    /** What a URI opens to, and how fast it should be published when nobody set an fps cap. */
    public record Opened(FrameSource source, double defaultFpsCap) {
    }

    private final SourceOptions options;
    private final ImageCodec codec;
    private final LongSupplier clock;

    public FrameSources(SourceOptions options, LongSupplier clock) {
        this.options = options;
        this.codec = new ImageCodec(options.maxPixels());
        this.clock = clock;
    }

    /**
     * Opens {@code uri} for camera {@code cameraId}.
     *
     * @param dropListener told when a live stream drops (ignored for other sources)
     */
    public Opened open(String uri, ReconnectingSource.DropListener dropListener) throws SourceException {
        if (uri == null || uri.isBlank()) {
            throw new SourceException("no source URI configured");
        }
        String scheme = scheme(uri);
        if ("synthetic".equals(scheme)) {
            SyntheticScene.Spec spec = parseSynthetic(uri);
            String labels = query(uri).get("labels");
            FrameSource source = new SyntheticSource(new SyntheticScene(spec), options.jpegQuality(), clock.getAsLong(),
                    labels == null ? null : Path.of(labels));
            return new Opened(source, spec.fps());
        }
        if (scheme != null && LIVE_SCHEMES.contains(scheme)) {
            Map<String, String> ffmpegOptions = liveOptions(scheme);
            String described = GrabberSource.describe(uri);
            FrameSource source = new ReconnectingSource(described,
                    () -> new GrabberSource(uri, true, ffmpegOptions, options.jpegQuality(), options.maxPixels(), clock),
                    new Backoff(options.reconnectInitial(), options.reconnectMax()), dropListener,
                    d -> Thread.sleep(d.toMillis()));
            return new Opened(source, 0);
        }
        Path path = "file".equals(scheme) ? Path.of(java.net.URI.create(uri)) : Path.of(uri);
        if (Files.isDirectory(path)) {
            return new Opened(new ImageFolderSource(path, codec, options.jpegQuality(), options.folderFps(), clock.getAsLong()), 0);
        }
        if (!Files.isRegularFile(path)) {
            throw new SourceException("no such video file or image folder: " + path.toAbsolutePath());
        }
        if (!Files.isReadable(path)) {
            throw new SourceException("video file is not readable: " + path.toAbsolutePath());
        }
        return new Opened(new GrabberSource(path.toString(), false, Map.of(), options.jpegQuality(), options.maxPixels(),
                clock), 0);
    }

    private Map<String, String> liveOptions(String scheme) {
        Map<String, String> o = new HashMap<>();
        String timeoutMicros = Long.toString(options.liveReadTimeout().toNanos() / 1000);
        if (scheme.startsWith("rtsp")) {
            o.put("rtsp_transport", "tcp");
            o.put("timeout", timeoutMicros);
        } else {
            o.put("rw_timeout", timeoutMicros);
        }
        return o;
    }

    static String scheme(String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 1) { // no scheme, or a Windows drive letter
            return null;
        }
        String s = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        return s.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.') ? s : null;
    }

    static Map<String, String> query(String uri) {
        int q = uri.indexOf('?');
        Map<String, String> out = new HashMap<>();
        if (q < 0) {
            return out;
        }
        for (String pair : uri.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }

    /** Parses a {@code synthetic:} URI; unknown keys are an error, so typos do not pass silently. */
    public static SyntheticScene.Spec parseSynthetic(String uri) throws SourceException {
        try {
            return SyntheticScene.Spec.of(query(uri));
        } catch (IllegalArgumentException e) {
            throw new SourceException("invalid synthetic scene " + uri + ": " + e.getMessage(), e);
        }
    }
}
