package io.vigil.common.sequence;

/** A detection that cannot become a sequence (box outside the frame, frame size changed, undecodable frame). */
public class SequenceException extends Exception {

    public SequenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
