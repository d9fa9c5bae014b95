package io.vigil.vision.detect;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_HEIGHT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_LEFT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_TOP;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_WIDTH;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_CLOSE;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_ELLIPSE;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_OPEN;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;
import static org.bytedeco.opencv.global.opencv_imgproc.getStructuringElement;
import static org.bytedeco.opencv.global.opencv_imgproc.morphologyEx;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;
import static org.bytedeco.opencv.global.opencv_video.createBackgroundSubtractorMOG2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_video.BackgroundSubtractorMOG2;

/**
 * Class-agnostic detection for fixed cameras, with no model file: OpenCV MOG2 background subtraction per
 * camera, shadows removed, small holes closed, and each connected foreground blob of at least
 * {@code minArea} pixels becomes a box (class -1, confidence 1, no class probabilities). The first
 * {@code warmupFrames} frames of a camera only train its background model.
 */
public final class MotionDetector implements ObjectDetector {

    /**
     * @param history       frames the background model remembers
     * @param varThreshold  squared Mahalanobis distance above which a pixel is foreground
     * @param detectShadows classify darker-but-similar pixels as shadow and drop them (off for greyscale scenes,
     *                      where people darker than the ground would be dropped as shadows)
     * @param minArea       smallest blob, in pixels after merging
     * @param mergeRadius   fragments closer than about this many pixels are merged into one blob
     * @param warmupFrames  frames per camera that only train the background
     */
    public record Settings(int history, double varThreshold, boolean detectShadows, int minArea, int mergeRadius,
            int warmupFrames) {
        public Settings {
            if (history < 1 || varThreshold <= 0 || minArea < 1 || mergeRadius < 0 || warmupFrames < 0) {
                throw new IllegalArgumentException("invalid motion detector settings " + this);
            }
        }

        /**
         * Until its background settles, a camera's first frames still hold whoever stood in them, and their ghosts
         * move as boxes: on an hour of normal synthetic street, boxes scored unusual 50 times as often in frames 10-20
         * as in steady state, and were back to it from frame 60 (docs/results.md). So 60 frames only train it.
         */
        public static final int WARMUP_FRAMES = 60;

        public static Settings defaults() {
            return new Settings(200, 9, false, 40, 3, WARMUP_FRAMES);
        }
    }

    private final Settings settings;
    private final Map<String, CameraModel> cameras = new ConcurrentHashMap<>();

    public MotionDetector(Settings settings) {
        this.settings = settings;
    }

    public static MotionDetector defaults() {
        return new MotionDetector(Settings.defaults());
    }

    @Override
    public List<List<DetectedBox>> detect(List<DetectionInput> batch) {
        List<List<DetectedBox>> out = new ArrayList<>(batch.size());
        for (DetectionInput in : batch) {
            CameraModel camera = cameras.computeIfAbsent(in.cameraId(), id -> new CameraModel(
                    createBackgroundSubtractorMOG2(settings.history(), settings.varThreshold(), settings.detectShadows())));
            synchronized (camera) {
                out.add(camera.detect(in));
            }
        }
        return out;
    }

    @Override
    public String name() {
        return "motion:mog2";
    }

    @Override
    public int maxBatch() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void close() {
        cameras.values().forEach(c -> c.subtractor.close());
        cameras.clear();
    }

    private final class CameraModel {
        final BackgroundSubtractorMOG2 subtractor;
        long frames;

        CameraModel(BackgroundSubtractorMOG2 subtractor) {
            this.subtractor = subtractor;
        }

        List<DetectedBox> detect(DetectionInput in) {
            int w = in.image().width();
            int h = in.image().height();
            List<DetectedBox> boxes = new ArrayList<>();
            try (Mat frame = new Mat(h, w, CV_8UC3);
                    Mat mask = new Mat();
                    Mat binary = new Mat();
                    Size small = new Size(3, 3);
                    Mat denoise = getStructuringElement(MORPH_ELLIPSE, small);
                    Size large = new Size(2 * settings.mergeRadius() + 1, 2 * settings.mergeRadius() + 1);
                    Mat merge = getStructuringElement(MORPH_ELLIPSE, large);
                    Mat labels = new Mat();
                    Mat stats = new Mat();
                    Mat centroids = new Mat()) {
                frame.data().put(in.image().pixels(), 0, in.image().pixels().length);
                subtractor.apply(frame, mask);
                if (frames++ < settings.warmupFrames()) {
                    return boxes;
                }
                threshold(mask, binary, 200, 255, THRESH_BINARY); // MOG2 marks shadows 127
                morphologyEx(binary, binary, MORPH_OPEN, denoise); // single-pixel noise
                morphologyEx(binary, binary, MORPH_CLOSE, merge); // fragments of one moving person
                int n = connectedComponentsWithStats(binary, labels, stats, centroids);
                IntPointer s = new IntPointer(stats.data());
                int cols = stats.cols();
                for (int label = 1; label < n; label++) { // 0 is the background
                    int area = s.get((long) label * cols + CC_STAT_AREA);
                    if (area < settings.minArea()) {
                        continue;
                    }
                    int x = s.get((long) label * cols + CC_STAT_LEFT);
                    int y = s.get((long) label * cols + CC_STAT_TOP);
                    int bw = s.get((long) label * cols + CC_STAT_WIDTH);
                    int bh = s.get((long) label * cols + CC_STAT_HEIGHT);
                    boxes.add(new DetectedBox(x, y, x + bw, y + bh, -1, 1f, new float[0]));
                }
            }
            return boxes;
        }
    }
}
