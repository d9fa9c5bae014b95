package io.vigil.ingest.source;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/** Encodes real frames into a real video file with FFmpeg, for decode tests. */
public final class TestVideos {

    private TestVideos() {
    }

    /** Writes {@code frames} (image files) as MPEG-4 Part 2 video in the container {@code format} (e.g. "matroska"). */
    public static Path write(Path out, List<Path> frames, String format, double fps) throws Exception {
        try (Mat first = imread(frames.get(0).toString());
                FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out.toFile(), first.cols(), first.rows(), 0)) {
            recorder.setFormat(format);
            recorder.setVideoCodec(AV_CODEC_ID_MPEG4);
            recorder.setFrameRate(fps);
            recorder.setVideoQuality(2);
            recorder.setGopSize(10);
            recorder.start();
            try (OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
                for (Path f : frames) {
                    try (Mat image = imread(f.toString())) {
                        recorder.record(converter.convert(image));
                    }
                }
            }
            recorder.stop();
        }
        return out;
    }
}
