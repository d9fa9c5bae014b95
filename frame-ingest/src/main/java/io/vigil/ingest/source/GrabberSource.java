package io.vigil.ingest.source;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;

import io.vigil.proto.SourceUris;
import io.vigil.vision.image.ImageCodec;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegLogCallback;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Anything FFmpeg opens: a video file in any container/codec it knows, or a network stream
 * ({@code rtsp://}, {@code http://}, …). One connection; {@link ReconnectingSource} adds reconnects.
 */
public final class GrabberSource implements FrameSource {

    static {
        // FFmpeg's own log goes to stderr in bulk by default; keep errors only.
        avutil.av_log_set_level(AV_LOG_ERROR);
        FFmpegLogCallback.set();
    }

    private final String input;
    private final boolean live;
    private final int jpegQuality;
    private final LongSupplier clock;
    private final FFmpegFrameGrabber grabber;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
    private final long startTimeMs;
    private long index;
    private boolean closed;

    /**
     * @param options FFmpeg demuxer/protocol options (e.g. {@code rtsp_transport=tcp}, {@code rw_timeout})
     */
    public GrabberSource(String input, boolean live, Map<String, String> options, int jpegQuality, long maxPixels,
            LongSupplier clock) throws SourceException {
        this.input = input;
        this.live = live;
        this.jpegQuality = jpegQuality;
        this.clock = clock;
        this.grabber = new FFmpegFrameGrabber(input);
        grabber.setPixelFormat(AV_PIX_FMT_BGR24);
        options.forEach(grabber::setOption);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            releaseQuietly();
            throw new SourceException("cannot open " + describe(input) + ": " + describe(e.getMessage()), withoutCredentials(e));
        }
        int width = grabber.getImageWidth();
        int height = grabber.getImageHeight();
        if (width <= 0 || height <= 0) {
            releaseQuietly();
            throw new SourceException(describe(input) + " has no video stream");
        }
        if ((long) width * height > maxPixels) {
            releaseQuietly();
            throw new SourceException(describe(input) + " is " + width + "x" + height + ", over the limit of "
                    + maxPixels + " pixels");
        }
        this.startTimeMs = clock.getAsLong();
    }

    @Override
    public Optional<SourceFrame> next() throws SourceException {
        if (closed) {
            return Optional.empty();
        }
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            throw new SourceException("reading " + describe(input) + " failed: " + describe(e.getMessage()),
                    withoutCredentials(e));
        }
        if (frame == null || frame.image == null) {
            if (live) {
                throw new SourceException("stream " + describe(input) + " ended");
            }
            return Optional.empty();
        }
        Mat bgr = converter.convert(frame);
        byte[] jpeg = ImageCodec.encodeBgrJpeg(bgr, jpegQuality);
        long capture = live ? clock.getAsLong() : startTimeMs + grabber.getTimestamp() / 1000;
        return Optional.of(new SourceFrame(index++, capture, bgr.cols(), bgr.rows(), jpeg));
    }

    /** Frames per second the container declares (0 when unknown). */
    public double frameRate() {
        return grabber.getFrameRate();
    }

    @Override
    public boolean isLive() {
        return live;
    }

    @Override
    public void close() {
        closed = true;
        releaseQuietly();
    }

    private void releaseQuietly() {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception | RuntimeException ignored) {
            // Closing a half-open or dropped connection can fail; nothing is left to release then.
        }
    }

    /** The input (or any text quoting it) with any user:password removed, for logs and messages. */
    public static String describe(String input) {
        return SourceUris.withoutCredentials(input);
    }

    /**
     * FFmpeg's exceptions quote the whole URI, credentials included, and a logged cause prints its message: the
     * cause chain is kept (class, stack) with the credentials taken out of every message.
     */
    static Throwable withoutCredentials(Throwable e) {
        if (e == null) {
            return null;
        }
        Throwable clean = new RuntimeException(e.getClass().getName() + ": " + describe(e.getMessage()),
                withoutCredentials(e.getCause() == e ? null : e.getCause()));
        clean.setStackTrace(e.getStackTrace());
        return clean;
    }

    @Override
    public String toString() {
        return (live ? "stream " : "video ") + describe(input);
    }
}
