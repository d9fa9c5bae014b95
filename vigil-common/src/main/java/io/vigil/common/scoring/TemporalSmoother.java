package io.vigil.common.scoring;

import java.util.ArrayList;
import java.util.List;

/**
 * Temporal Gaussian smoothing of one camera's frame scores, streaming with a bounded look-ahead: the smoothed score
 * of frame n is known once frame n + L arrived (L = min(ceil(3 sigma), maxLookahead)), so the added latency is L
 * frames. The kernel is truncated at ±L and renormalised where frames are missing at the start or the end; the
 * offline evaluation calls {@link #smoothAll} and gets the same values as the stream.
 */
public final class TemporalSmoother {

    /** A smoothed score of one frame. */
    public record Smoothed(long frameIndex, float raw, float smoothed) {
    }

    private final double[] kernel;
    private final int lookahead;
    private final List<Float> history = new ArrayList<>();
    private long firstIndex = -1;
    private long nextToEmit = -1;

    /** Frames a smoothed score waits for: 3 sigma, at most {@code maxLookahead}. */
    public static int lookahead(double sigma, int maxLookahead) {
        return sigma == 0 ? 0 : (int) Math.min(Math.ceil(3 * sigma), maxLookahead);
    }

    /** @param sigma in frames; 0 disables smoothing */
    public TemporalSmoother(double sigma, int maxLookahead) {
        if (sigma < 0 || maxLookahead < 0) {
            throw new IllegalArgumentException("sigma and look-ahead must be >= 0");
        }
        this.lookahead = lookahead(sigma, maxLookahead);
        this.kernel = new double[2 * lookahead + 1];
        for (int k = -lookahead; k <= lookahead; k++) {
            kernel[k + lookahead] = sigma == 0 ? 1 : Math.exp(-(k * (double) k) / (2 * sigma * sigma));
        }
    }

    /** What a restarted smoother needs to continue exactly: the scores still in reach and the next frame due. */
    public record Snapshot(long firstIndex, long nextToEmit, float[] history) {
    }

    /** The state worth keeping: only the scores a future smoothed frame can still reach. */
    public Snapshot snapshot() {
        if (firstIndex < 0) {
            return new Snapshot(-1, -1, new float[0]);
        }
        long from = Math.max(firstIndex, nextToEmit - lookahead);
        int skip = (int) (from - firstIndex);
        float[] kept = new float[history.size() - skip];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = history.get(skip + i);
        }
        return new Snapshot(from, nextToEmit, kept);
    }

    /** Continues from a {@link #snapshot()} (of a smoother with the same settings). */
    public void restore(Snapshot snapshot) {
        history.clear();
        for (float v : snapshot.history()) {
            history.add(v);
        }
        firstIndex = snapshot.firstIndex();
        nextToEmit = snapshot.nextToEmit();
    }

    /** The next frame whose smoothed score is due; frames before it are done. -1 before the first push. */
    public long nextToEmit() {
        return nextToEmit;
    }

    /** Frames of latency the smoothing adds. */
    public int lookahead() {
        return lookahead;
    }

    /**
     * Adds the score of {@code frameIndex}; frames skipped since the previous one count as score 0 (seen, nothing
     * anomalous). Returns the frames whose smoothed score is now final.
     */
    public List<Smoothed> push(long frameIndex, float score) {
        if (firstIndex < 0) {
            firstIndex = frameIndex;
            nextToEmit = frameIndex;
        }
        long expected = firstIndex + history.size();
        if (frameIndex < expected) {
            throw new IllegalArgumentException("frame " + frameIndex + " is older than frame " + (expected - 1)
                    + " already pushed");
        }
        while (firstIndex + history.size() < frameIndex) {
            history.add(0f);
        }
        history.add(score);
        List<Smoothed> out = new ArrayList<>();
        long last = firstIndex + history.size() - 1;
        while (nextToEmit + lookahead <= last) {
            out.add(smoothedAt(nextToEmit, last));
            nextToEmit++;
        }
        trim();
        return out;
    }

    /** At the end of a stream: the frames still waiting for their look-ahead, smoothed with what there is. */
    public List<Smoothed> flush() {
        List<Smoothed> out = new ArrayList<>();
        if (firstIndex < 0) {
            return out;
        }
        long last = firstIndex + history.size() - 1;
        while (nextToEmit <= last) {
            out.add(smoothedAt(nextToEmit, last));
            nextToEmit++;
        }
        return out;
    }

    private Smoothed smoothedAt(long n, long last) {
        double sum = 0;
        double weight = 0;
        for (int k = -lookahead; k <= lookahead; k++) {
            long j = n + k;
            if (j < firstIndex || j > last) {
                continue;
            }
            double w = kernel[k + lookahead];
            sum += w * history.get((int) (j - firstIndex));
            weight += w;
        }
        return new Smoothed(n, history.get((int) (n - firstIndex)), (float) (sum / weight));
    }

    /** Keeps only the scores a future window can still reach. */
    private void trim() {
        long keepFrom = nextToEmit - lookahead;
        int drop = (int) Math.max(0, keepFrom - firstIndex);
        if (drop > 1024) {
            history.subList(0, drop).clear();
            firstIndex += drop;
        }
    }

    /** Offline: smooths a whole series exactly as the stream does. */
    public static float[] smoothAll(float[] scores, double sigma, int maxLookahead) {
        TemporalSmoother s = new TemporalSmoother(sigma, maxLookahead);
        float[] out = new float[scores.length];
        List<Smoothed> all = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            all.addAll(s.push(i, scores[i]));
        }
        all.addAll(s.flush());
        for (Smoothed v : all) {
            out[(int) v.frameIndex()] = v.smoothed();
        }
        return out;
    }
}
