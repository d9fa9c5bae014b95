package io.vigil.ingest;

/** Life cycle of one camera's ingest loop. */
public enum CameraState {
    STARTING,
    RUNNING,
    /** A live stream dropped; waiting to reconnect. */
    RECONNECTING,
    /** A finite source was published completely. */
    FINISHED,
    /** The source could not be opened or read; other cameras are unaffected. */
    FAILED,
    STOPPED;

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == STOPPED;
    }
}
