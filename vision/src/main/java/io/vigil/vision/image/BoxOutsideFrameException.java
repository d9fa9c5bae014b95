package io.vigil.vision.image;

/** A crop box that does not overlap the frame at all, or is degenerate. */
public class BoxOutsideFrameException extends IllegalArgumentException {

    public BoxOutsideFrameException(String message) {
        super(message);
    }
}
