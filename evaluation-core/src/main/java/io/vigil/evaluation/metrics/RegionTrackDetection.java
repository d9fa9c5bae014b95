package io.vigil.evaluation.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Region- and track-based detection criteria RBDC and TBDC (Ramachandra and Jones, WACV 2020), computed as the
 * reference implementation of Georgescu et al. does:
 * <ul>
 *   <li>predicted regions are taken in decreasing score; one is a true positive for every not yet matched
 *       ground-truth region of its frame with IoU >= 0.1 (boxes in inclusive pixel coordinates, +1 in sizes);</li>
 *   <li>it is a false positive when its frame has no ground truth or it overlaps none by 0.1; one that overlaps
 *       only already matched regions counts as neither;</li>
 *   <li>a track is detected once >= 10% of its regions are; the false-positive rate is false positives per frame;</li>
 *   <li>RBDC/TBDC = area under the detection rate as a function of the false-positive rate, from (0, 0) to FPR 1
 *       (the curve is extended flat to 1 where it stops short).</li>
 * </ul>
 */
public final class RegionTrackDetection {

    public static final double IOU = 0.1;
    public static final double TRACK_FRACTION = 0.1;

    /** A box in pixels, inclusive coordinates. */
    public record Region(String video, long frame, float x1, float y1, float x2, float y2) {
        public double iou(Region o) {
            double ix = Math.max(0, Math.min(x2, o.x2) - Math.max(x1, o.x1) + 1);
            double iy = Math.max(0, Math.min(y2, o.y2) - Math.max(y1, o.y1) + 1);
            double inter = ix * iy;
            double a = (x2 - x1 + 1) * (double) (y2 - y1 + 1);
            double b = (o.x2 - o.x1 + 1) * (double) (o.y2 - o.y1 + 1);
            return inter / (a + b - inter);
        }
    }

    /** A ground-truth track: the regions of one anomalous object over time. */
    public record Track(List<Region> regions) {
    }

    public record Prediction(Region region, float score) {
    }

    public record Result(double rbdc, double tbdc) {
    }

    private RegionTrackDetection() {
    }

    /** @param frames frames in all videos (the false-positive rate's denominator) */
    public static Result compute(List<Track> tracks, List<Prediction> predictions, long frames) {
        Map<String, List<int[]>> gtByFrame = new HashMap<>(); // video|frame -> [track, region]
        int gtRegions = 0;
        for (int t = 0; t < tracks.size(); t++) {
            List<Region> rs = tracks.get(t).regions();
            for (int r = 0; r < rs.size(); r++) {
                gtByFrame.computeIfAbsent(key(rs.get(r)), k -> new ArrayList<>()).add(new int[] {t, r});
                gtRegions++;
            }
        }
        Map<String, boolean[]> matched = new HashMap<>();
        gtByFrame.forEach((k, v) -> matched.put(k, new boolean[v.size()]));
        int[] detectedPerTrack = new int[tracks.size()];

        List<Prediction> sorted = new ArrayList<>(predictions);
        sorted.sort(Comparator.comparingDouble(Prediction::score).reversed());
        List<double[]> curve = new ArrayList<>(); // fpr, rbdr, tbdr
        curve.add(new double[] {0, 0, 0});
        long tp = 0;
        long fp = 0;
        for (Prediction p : sorted) {
            List<int[]> gts = gtByFrame.get(key(p.region()));
            if (gts == null) {
                fp++;
            } else {
                boolean overlaps = false;
                boolean[] done = matched.get(key(p.region()));
                for (int i = 0; i < gts.size(); i++) {
                    Region gt = tracks.get(gts.get(i)[0]).regions().get(gts.get(i)[1]);
                    if (gt.iou(p.region()) >= IOU) {
                        overlaps = true;
                        if (!done[i]) {
                            done[i] = true;
                            tp++;
                            detectedPerTrack[gts.get(i)[0]]++;
                        }
                    }
                }
                if (!overlaps) {
                    fp++;
                }
            }
            curve.add(new double[] {fp / (double) frames, tp / (double) gtRegions, trackRate(tracks, detectedPerTrack)});
        }
        return new Result(areaUpToOne(curve, 1), areaUpToOne(curve, 2));
    }

    private static double trackRate(List<Track> tracks, int[] detected) {
        int found = 0;
        for (int t = 0; t < tracks.size(); t++) {
            if (detected[t] >= TRACK_FRACTION * tracks.get(t).regions().size()) {
                found++;
            }
        }
        return found / (double) tracks.size();
    }

    /** Trapezoidal area of column {@code y} against the FPR, over points with FPR <= 1, extended flat to FPR 1. */
    private static double areaUpToOne(List<double[]> curve, int y) {
        List<double[]> pts = new ArrayList<>();
        for (double[] c : curve) {
            if (c[0] <= 1) {
                pts.add(c);
            }
        }
        double[] last = pts.get(pts.size() - 1);
        if (last[0] != 1) {
            pts.add(new double[] {1, last[1], last[2]});
        }
        double area = 0;
        for (int i = 1; i < pts.size(); i++) {
            area += (pts.get(i)[0] - pts.get(i - 1)[0]) * (pts.get(i)[y] + pts.get(i - 1)[y]) / 2;
        }
        return area;
    }

    private static String key(Region r) {
        return r.video() + "|" + r.frame();
    }
}
