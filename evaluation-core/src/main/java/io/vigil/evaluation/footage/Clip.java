package io.vigil.evaluation.footage;

import io.vigil.proto.v1.Frame;
import java.util.List;

/**
 * Consecutive frames of one camera, as the chain saw them (JPEG and indices of {@code vigil.frames}); a held-out clip
 * is never trained on, it chooses the epoch and calibrates the model.
 */
public record Clip(String id, List<Frame> frames, boolean heldOut) {
    public Clip {
        frames = List.copyOf(frames);
    }

    public long fromTimeMs() {
        return frames.get(0).getCaptureTimeMs();
    }

    public long toTimeMs() {
        return frames.get(frames.size() - 1).getCaptureTimeMs();
    }
}
