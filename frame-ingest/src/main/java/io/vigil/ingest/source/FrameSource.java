package io.vigil.ingest.source;

import java.util.Optional;

/**
 * A camera's frames: a file, an image folder, a live stream or a synthetic scene. Used by one thread, which
 * also closes it (native decoders must not be closed under a running read). Reads of network sources time
 * out, and an interrupt of the reading thread ends waits between reconnects.
 */
public interface FrameSource extends AutoCloseable {

    /**
     * The next frame, or empty at the end of a finite source.
     *
     * @throws BadFrameException one frame could not be read or decoded; the source stays usable
     * @throws SourceException   the source itself failed (unreadable, disconnected)
     */
    Optional<SourceFrame> next() throws BadFrameException, SourceException;

    /** Live sources have no end and deliver frames as they happen; their last frame is never marked. */
    boolean isLive();

    /** Releases the source. */
    @Override
    void close();
}
