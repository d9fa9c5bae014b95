package io.vigil.evaluation;

import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_HEIGHT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_LEFT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_TOP;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_WIDTH;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;

import io.vigil.evaluation.metrics.RegionTrackDetection.Region;
import io.vigil.evaluation.metrics.RegionTrackDetection.Track;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Region ground truth from pixel masks (../shared/README.md): each connected component of a frame's mask is a
 * region (its bounding box, inclusive pixels); a region continues the track of a region of the previous frame it
 * overlaps, else it starts a new track.
 */
public final class MaskRegions {

    private static final int MIN_PIXELS = 10;

    private MaskRegions() {
    }

    /** Bounding boxes of the connected components (8-connected, at least 10 pixels) of a mask (non-zero = anomalous). */
    public static List<Region> regions(String video, long frame, RgbImage mask) {
        List<Region> out = new ArrayList<>();
        try (Mat binary = new Mat(mask.height(), mask.width(), org.bytedeco.opencv.global.opencv_core.CV_8UC1);
                Mat labels = new Mat();
                Mat stats = new Mat();
                Mat centroids = new Mat()) {
            UByteIndexer px = binary.createIndexer();
            for (int y = 0; y < mask.height(); y++) {
                for (int x = 0; x < mask.width(); x++) {
                    px.put(y, x, mask.value(x, y, 0) > 127 ? 255 : 0);
                }
            }
            px.release();
            int n = connectedComponentsWithStats(binary, labels, stats, centroids);
            IntIndexer s = stats.createIndexer();
            for (int c = 1; c < n; c++) {
                if (s.get(c, CC_STAT_AREA) < MIN_PIXELS) {
                    continue;
                }
                int x = s.get(c, CC_STAT_LEFT);
                int y = s.get(c, CC_STAT_TOP);
                out.add(new Region(video, frame, x, y, x + s.get(c, CC_STAT_WIDTH) - 1, y + s.get(c, CC_STAT_HEIGHT) - 1));
            }
            s.release();
        }
        return out;
    }

    /** The tracks of one video from its masks. */
    public static List<Track> tracks(String video, List<Path> masks, ImageCodec codec) throws IOException {
        List<List<Region>> tracks = new ArrayList<>();
        List<Integer> previous = new ArrayList<>(); // track index of each region of the previous frame
        List<Region> previousRegions = new ArrayList<>();
        for (int f = 0; f < masks.size(); f++) {
            List<Region> current = regions(video, f, codec.decode(Files.readAllBytes(masks.get(f))));
            List<Integer> currentTracks = new ArrayList<>();
            for (Region r : current) {
                int track = -1;
                for (int p = 0; p < previousRegions.size() && track < 0; p++) {
                    if (overlaps(r, previousRegions.get(p))) {
                        track = previous.get(p);
                    }
                }
                if (track < 0 || currentTracks.contains(track)) {
                    tracks.add(new ArrayList<>());
                    track = tracks.size() - 1;
                }
                tracks.get(track).add(r);
                currentTracks.add(track);
            }
            previous = currentTracks;
            previousRegions = current;
        }
        return tracks.stream().map(Track::new).toList();
    }

    private static boolean overlaps(Region a, Region b) {
        return a.x1() <= b.x2() && b.x1() <= a.x2() && a.y1() <= b.y2() && b.y1() <= a.y2();
    }
}
