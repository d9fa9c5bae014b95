package io.vigil.alerts.clips;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.ImageDecodeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An event's frames as an MP4 a browser plays: H.264 (OpenH264, which JavaCV's FFmpeg carries), yuv420p, the index
 * at the front so playback starts before the download ends. Frames of another size than the first are scaled to it.
 * The frames come from a topic anyone with access could write: each is decoded only under {@link ImageCodec}'s pixel
 * guard, and the whole clip within a time budget.
 */
public final class ClipEncoder {

    /** The H.264 encoder in JavaCV's FFmpeg build (libx264 is not in it). */
    static final String CODEC = "libopenh264";

    private ClipEncoder() {
    }

    private static final ImageCodec GUARD = new ImageCodec();

    /** The clip did not finish within its budget. */
    public static final class TooSlow extends IllegalStateException {
        TooSlow(Duration budget, int written, int frames) {
            super("the clip took longer than " + budget.toMillis() + " ms (" + written + " of " + frames + " frames)");
        }
    }

    /**
     * The JPEG frames, in order, at {@code fps}; a frame that does not decode, or declares more pixels than the
     * guard allows, is left out. Throws {@link TooSlow} past {@code budget}.
     */
    public static byte[] mp4(List<byte[]> jpegs, double fps, Duration budget) throws IOException {
        if (jpegs.isEmpty()) {
            throw new IllegalArgumentException("a clip needs at least one frame");
        }
        long deadline = System.nanoTime() + budget.toNanos();
        Path file = Files.createTempFile("vigil-clip-", ".mp4");
        try (OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            FFmpegFrameRecorder recorder = null;
            int written = 0;
            for (byte[] jpeg : jpegs) {
                if (System.nanoTime() > deadline) {
                    throw new TooSlow(budget, written, jpegs.size());
                }
                try {
                    GUARD.checkDeclaredSize(jpeg);
                } catch (ImageDecodeException e) {
                    continue;
                }
                try (Mat encoded = new Mat(jpeg); Mat bgr = imdecode(encoded, IMREAD_COLOR)) {
                    if (bgr.empty() || (long) bgr.cols() * bgr.rows() > ImageCodec.DEFAULT_MAX_PIXELS) {
                        continue;
                    }
                    if (recorder == null) {
                        // yuv420p needs even sides.
                        recorder = new FFmpegFrameRecorder(file.toFile(), bgr.cols() & ~1, bgr.rows() & ~1, 0);
                        recorder.setFormat("mp4");
                        recorder.setVideoCodecName(CODEC);
                        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
                        recorder.setFrameRate(fps);
                        recorder.setGopSize((int) Math.max(1, Math.round(fps * 2)));
                        recorder.setVideoBitrate(Math.max(200_000, (bgr.cols() & ~1) * (bgr.rows() & ~1) * 3));
                        recorder.setOption("movflags", "+faststart");
                        recorder.start();
                        if (recorder.getVideoCodec() == avcodec.AV_CODEC_ID_NONE) {
                            throw new IllegalStateException(CODEC + " is not in this FFmpeg build");
                        }
                    }
                    recorder.record(converter.convert(bgr), avutil.AV_PIX_FMT_BGR24);
                    written++;
                }
            }
            if (recorder == null) {
                throw new IllegalArgumentException("none of the " + jpegs.size() + " frames decodes");
            }
            recorder.stop();
            recorder.release();
            if (written == 0) {
                throw new IllegalArgumentException("no frame decodes");
            }
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
