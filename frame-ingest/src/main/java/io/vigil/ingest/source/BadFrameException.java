package io.vigil.ingest.source;

/** One frame of a source that cannot be used (unreadable file, corrupt image); the source goes on. */
public class BadFrameException extends Exception {

    private final long index;
    private final transient byte[] payload;

    public BadFrameException(long index, String message, byte[] payload, Throwable cause) {
        super(message, cause);
        this.index = index;
        this.payload = payload;
    }

    public long index() {
        return index;
    }

    /** The bytes that were read, for the dead-letter topic; empty when nothing could be read. */
    public byte[] payload() {
        return payload == null ? new byte[0] : payload;
    }
}
