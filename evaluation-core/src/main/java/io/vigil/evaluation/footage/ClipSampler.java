package io.vigil.evaluation.footage;

import io.vigil.proto.v1.Frame;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Cuts one camera's frames, in the order they arrive, into clips of consecutive frames, and keeps a uniform sample
 * of at most {@code maxFrames} of them in bounded memory (reservoir sampling, seeded: the same footage gives the same
 * sample). A clip ends at {@code clipFrames}, at a gap in the frame indices or capture times (a dropped frame, a
 * reconnect), at the end of a source or a change of source, and at an excluded frame; clips too short for one object sequence are dropped. The latest {@code holdoutFraction} of the kept
 * clips are held out: the model is chosen and calibrated on footage later than what it trained on.
 */
public final class ClipSampler {

    /** Frames further apart than this are not one clip (a stalled stream, a reconnect). */
    static final long MAX_FRAME_GAP_MS = 5_000;

    private final String idPrefix;
    private final int clipFrames;
    private final int minFrames;
    private final int maxClips;
    private final double holdoutFraction;
    private final Random random;
    private final List<List<Frame>> reservoir = new ArrayList<>();
    private List<Frame> current = new ArrayList<>();
    private long completed;
    private long framesSeen;
    private long framesKept;

    public ClipSampler(String idPrefix, int clipFrames, int minFrames, long maxFrames, double holdoutFraction, long seed) {
        if (clipFrames < minFrames || minFrames < 1 || maxFrames < clipFrames) {
            throw new IllegalArgumentException("need 1 <= min frames (" + minFrames + ") <= clip frames (" + clipFrames
                    + ") <= max frames (" + maxFrames + ")");
        }
        if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException("hold-out fraction " + holdoutFraction + " is not in [0, 1)");
        }
        this.idPrefix = idPrefix;
        this.clipFrames = clipFrames;
        this.minFrames = minFrames;
        this.maxClips = (int) Math.min(Integer.MAX_VALUE, maxFrames / clipFrames);
        this.holdoutFraction = holdoutFraction;
        this.random = new Random(seed);
    }

    /** A usable frame. */
    public void accept(Frame f) {
        framesSeen++;
        if (!current.isEmpty() && !continues(current.get(current.size() - 1), f)) {
            endClip();
        }
        current.add(f);
        if (current.size() == clipFrames) {
            endClip();
        }
    }

    /**
     * Whether {@code next} shows the same scene moments after {@code last}: frame-ingest numbers a camera's frames on
     * across restarts and new sources, so the index alone does not tell.
     */
    private static boolean continues(Frame last, Frame next) {
        long dt = next.getCaptureTimeMs() - last.getCaptureTimeMs();
        return next.getFrameIndex() == last.getFrameIndex() + 1 && !last.getEndOfSource()
                && next.getSource().equals(last.getSource()) && dt >= 0 && dt <= MAX_FRAME_GAP_MS;
    }

    /** A frame that must not be learnt from (part of an anomaly event): it ends the clip. */
    public void exclude() {
        endClip();
    }

    private void endClip() {
        if (current.size() >= minFrames) {
            completed++;
            if (reservoir.size() < maxClips) {
                reservoir.add(current);
            } else {
                long slot = (long) (random.nextDouble() * completed);
                if (slot < maxClips) {
                    reservoir.set((int) slot, current);
                }
            }
        }
        current = new ArrayList<>();
    }

    public long framesSeen() {
        return framesSeen;
    }

    /** The kept clips in time order, the latest ones held out (at least one when there are two or more). */
    public List<Clip> clips() {
        endClip();
        List<List<Frame>> kept = new ArrayList<>(reservoir);
        kept.sort(Comparator.comparingLong(c -> c.get(0).getCaptureTimeMs()));
        int heldOut = kept.size() < 2 || holdoutFraction == 0 ? 0
                : Math.max(1, (int) Math.round(kept.size() * holdoutFraction));
        List<Clip> out = new ArrayList<>();
        framesKept = 0;
        for (int i = 0; i < kept.size(); i++) {
            List<Frame> c = kept.get(i);
            out.add(new Clip(idPrefix + "-" + c.get(0).getCaptureTimeMs() + "-" + c.get(0).getFrameIndex(), c,
                    i >= kept.size() - heldOut));
            framesKept += c.size();
        }
        return out;
    }

    public long framesKept() {
        return framesKept;
    }
}
