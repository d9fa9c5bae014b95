package io.vigil.evaluation.metrics;

import java.util.List;

/**
 * Frame-level AUC the two ways papers report it. Micro: all frames of all videos in one ROC. Macro: the mean of
 * per-video AUCs, each computed on the video's scores min-max normalised to [0, 1] plus one dummy normal frame
 * scoring 0 and one dummy anomalous frame scoring 1, so videos with a single class still count (as the
 * reference evaluation of Georgescu et al. does).
 */
public final class FrameAuc {

    /** One video's frame scores and labels. */
    public record Video(String id, float[] scores, boolean[] anomalous) {
        public Video {
            if (scores.length != anomalous.length) {
                throw new IllegalArgumentException("video " + id + ": " + scores.length + " scores for " + anomalous.length
                        + " labels");
            }
        }
    }

    private FrameAuc() {
    }

    public static double micro(List<Video> videos) {
        int n = videos.stream().mapToInt(v -> v.scores().length).sum();
        float[] s = new float[n];
        boolean[] a = new boolean[n];
        int k = 0;
        for (Video v : videos) {
            System.arraycopy(v.scores(), 0, s, k, v.scores().length);
            System.arraycopy(v.anomalous(), 0, a, k, v.anomalous().length);
            k += v.scores().length;
        }
        return RocAuc.auc(s, a);
    }

    /**
     * The micro AUC of one video held out of {@code videos}: over the frame pairs (anomalous, normal) of which at
     * least one is that video's, so it counts both how the video ranks its own frames and how its scores stand against
     * the other videos' (a video whose normal frames all score high costs here, even if it ranks them right).
     */
    public static double heldOut(List<Video> videos, int held) {
        Video v = videos.get(held);
        List<Video> others = new java.util.ArrayList<>(videos);
        others.remove(held);
        float[] otherNormal = select(others, false);
        float[] otherAnomalous = select(others, true);
        float[] ownNormal = select(List.of(v), false);
        float[] ownAnomalous = select(List.of(v), true);
        double pairsOwnAnomalous = (double) ownAnomalous.length * (ownNormal.length + otherNormal.length);
        double pairsOwnNormal = (double) otherAnomalous.length * ownNormal.length;
        double sum = 0;
        if (pairsOwnAnomalous > 0) {
            sum += pairsOwnAnomalous * RocAuc.auc(concat(ownAnomalous, ownNormal, otherNormal),
                    labels(ownAnomalous.length, ownNormal.length + otherNormal.length));
        }
        if (pairsOwnNormal > 0) {
            sum += pairsOwnNormal * RocAuc.auc(concat(otherAnomalous, ownNormal, new float[0]),
                    labels(otherAnomalous.length, ownNormal.length));
        }
        return sum / (pairsOwnAnomalous + pairsOwnNormal);
    }

    private static float[] select(List<Video> videos, boolean anomalous) {
        int n = 0;
        for (Video v : videos) {
            for (boolean a : v.anomalous()) {
                n += a == anomalous ? 1 : 0;
            }
        }
        float[] out = new float[n];
        int k = 0;
        for (Video v : videos) {
            for (int i = 0; i < v.scores().length; i++) {
                if (v.anomalous()[i] == anomalous) {
                    out[k++] = v.scores()[i];
                }
            }
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b, float[] c) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }

    private static boolean[] labels(int anomalous, int normal) {
        boolean[] out = new boolean[anomalous + normal];
        java.util.Arrays.fill(out, 0, anomalous, true);
        return out;
    }

    public static double macro(List<Video> videos) {
        double sum = 0;
        for (Video v : videos) {
            sum += video(v);
        }
        return sum / videos.size();
    }

    /** The AUC of one video with the dummy frames added. */
    public static double video(Video v) {
        int n = v.scores().length;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float s : v.scores()) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        float range = max - min;
        float[] s = new float[n + 2];
        boolean[] a = new boolean[n + 2];
        for (int i = 0; i < n; i++) {
            s[i] = range > 0 ? (v.scores()[i] - min) / range : 0.5f;
            a[i] = v.anomalous()[i];
        }
        s[n] = 0f;
        a[n] = false;
        s[n + 1] = 1f;
        a[n + 1] = true;
        return RocAuc.auc(s, a);
    }
}
