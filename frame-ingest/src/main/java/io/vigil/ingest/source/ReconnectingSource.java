package io.vigil.ingest.source;

import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A live source that survives drops: when the connection fails or ends it reconnects with exponential
 * backoff, forever, until closed. Frame indices continue across reconnects (monotonic per camera).
 */
public final class ReconnectingSource implements FrameSource {

    private static final Logger LOG = Logger.getLogger(ReconnectingSource.class);

    /** Opens one connection. */
    @FunctionalInterface
    public interface Connector {
        FrameSource connect() throws SourceException;
    }

    /** Told about each drop, for status and metrics. */
    @FunctionalInterface
    public interface DropListener {
        void dropped(String reason, Duration retryIn);
    }

    /** Sleeps; replaced in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final String description;
    private final Connector connector;
    private final Backoff backoff;
    private final DropListener listener;
    private final Sleeper sleeper;
    private FrameSource current;
    private long nextIndex;
    private volatile boolean closed;

    public ReconnectingSource(String description, Connector connector, Backoff backoff, DropListener listener,
            Sleeper sleeper) {
        this.description = description;
        this.connector = connector;
        this.backoff = backoff;
        this.listener = listener;
        this.sleeper = sleeper;
    }

    @Override
    public Optional<SourceFrame> next() throws BadFrameException {
        while (!closed && !Thread.currentThread().isInterrupted()) {
            String failure;
            try {
                if (current == null) {
                    current = connector.connect();
                    LOG.infof("connected to %s", description);
                }
                Optional<SourceFrame> frame = current.next();
                if (frame.isPresent()) {
                    backoff.reset();
                    return Optional.of(frame.get().withIndex(nextIndex++));
                }
                failure = "stream ended";
            } catch (SourceException e) {
                failure = e.getMessage();
            } catch (BadFrameException e) {
                throw new BadFrameException(nextIndex++, e.getMessage(), e.payload(), e);
            }
            disconnect();
            Duration delay = backoff.next();
            LOG.warnf("%s: %s; reconnecting in %d ms", description, failure, delay.toMillis());
            listener.dropped(failure, delay);
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.empty();
    }

    private void disconnect() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public boolean isLive() {
        return true;
    }

    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    @Override
    public String toString() {
        return description + " (reconnecting)";
    }
}
