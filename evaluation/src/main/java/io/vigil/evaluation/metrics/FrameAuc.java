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
