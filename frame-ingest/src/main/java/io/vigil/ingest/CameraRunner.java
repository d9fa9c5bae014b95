package io.vigil.ingest;

import com.google.protobuf.ByteString;
import io.vigil.ingest.source.BadFrameException;
import io.vigil.ingest.source.FrameSource;
import io.vigil.ingest.source.SourceException;
import io.vigil.ingest.source.SourceFrame;
import io.vigil.proto.v1.Frame;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Publishes one camera's frames: reads its source, paces it, turns each frame into a {@link Frame} and hands it
 * to the sink. A bad frame goes to the dead-letter topic and the loop goes on; a failed source ends this
 * camera only. Finite sources mark their last frame ({@code end_of_source}) by reading one frame ahead;
 * looping sources replay with indices that keep increasing.
 */
public final class CameraRunner implements Runnable {

    private static final Logger LOG = Logger.getLogger(CameraRunner.class);

    /** Opens the camera's source (again, when looping). */
    @FunctionalInterface
    public interface SourceOpener {
        FrameSource open() throws SourceException;
    }

    private final String cameraId;
    private final String sourceDescription;
    private final SourceOpener opener;
    private final FrameSink sink;
    private final Pacer pacer;
    private final boolean loop;
    private final CameraStatus status;
    private volatile boolean stopRequested;

    public CameraRunner(String cameraId, String sourceDescription, SourceOpener opener, FrameSink sink, double fpsCap,
            boolean loop) {
        this.cameraId = cameraId;
        this.sourceDescription = sourceDescription;
        this.opener = opener;
        this.sink = sink;
        this.pacer = new Pacer(fpsCap);
        this.loop = loop;
        this.status = new CameraStatus(cameraId, sourceDescription);
    }

    public CameraStatus status() {
        return status;
    }

    /** Asks the loop to end after the current frame; the thread running it should also be interrupted. */
    public void requestStop() {
        stopRequested = true;
    }

    @Override
    public void run() {
        MDC.put("camera", cameraId);
        long indexOffset = 0;
        try {
            do {
                long lastIndex = publishOnce(indexOffset);
                indexOffset = lastIndex + 1;
            } while (loop && !stopped() && status.state() != CameraState.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The sink itself failed (e.g. producer closed): nothing to dead-letter through; this camera stops.
            LOG.errorf(e, "camera %s stopped", cameraId);
            status.sourceError("camera " + cameraId + " stopped: " + e);
            status.state(CameraState.FAILED);
        }
        if (!status.state().isTerminal()) {
            status.state(stopped() ? CameraState.STOPPED : CameraState.FINISHED);
        }
        LOG.infof("camera %s %s after %d frames (%d bad)", cameraId, status.state(), status.framesPublished(),
                status.badFrames());
    }

    /** Publishes the source from start to end; returns the last index used (indexOffset - 1 when none). */
    private long publishOnce(long indexOffset) throws InterruptedException {
        FrameSource source;
        try {
            source = opener.open();
        } catch (SourceException e) {
            fail("camera " + cameraId + ": " + e.getMessage(), e);
            return indexOffset - 1;
        }
        long lastIndex = indexOffset - 1;
        try (source) {
            status.state(CameraState.RUNNING);
            LOG.infof("camera %s reading %s", cameraId, source);
            SourceFrame held = null;
            while (!stopped()) {
                Optional<SourceFrame> next;
                try {
                    next = source.next();
                } catch (BadFrameException e) {
                    lastIndex = Math.max(lastIndex, indexOffset + e.index());
                    rejectFrame(indexOffset + e.index(), e);
                    continue;
                }
                if (status.state() == CameraState.RECONNECTING) {
                    status.state(CameraState.RUNNING);
                }
                if (next.isEmpty()) {
                    break;
                }
                SourceFrame frame = next.get().withIndex(indexOffset + next.get().index());
                lastIndex = frame.index();
                if (source.isLive()) {
                    publish(frame, false);
                } else {
                    if (held != null) {
                        publish(held, false);
                    }
                    held = frame;
                }
            }
            if (held != null) {
                // Stopping early or looping: the held frame is not the end of the source.
                publish(held, !loop && !stopped());
            }
        } catch (SourceException e) {
            fail("camera " + cameraId + ": " + e.getMessage(), e);
        }
        return lastIndex;
    }

    private void publish(SourceFrame f, boolean last) throws InterruptedException {
        pacer.await();
        sink.publish(Frame.newBuilder()
                .setCameraId(cameraId)
                .setFrameIndex(f.index())
                .setCaptureTimeMs(f.captureTimeMs())
                .setWidth(f.width())
                .setHeight(f.height())
                .setJpeg(ByteString.copyFrom(f.jpeg()))
                .setSource(sourceDescription)
                .setEndOfSource(last)
                .build());
        status.published(f.index(), f.jpeg().length, System.nanoTime());
    }

    private void rejectFrame(long index, BadFrameException e) {
        LOG.errorf("camera %s frame %d skipped: %s", cameraId, index, e.getMessage());
        status.badFrame(e.getMessage());
        sink.reject(new FrameSink.RejectedInput(cameraId, sourceDescription, index, e.payload(), e.getMessage(), e));
    }

    private void fail(String message, Exception e) {
        LOG.error(message);
        status.sourceError(message);
        status.state(CameraState.FAILED);
        sink.reject(new FrameSink.RejectedInput(cameraId, sourceDescription, -1, new byte[0], message, e));
    }

    /** Called by live sources when the connection drops. */
    public void onDrop(String reason) {
        status.reconnecting(reason);
    }

    private boolean stopped() {
        return stopRequested || Thread.currentThread().isInterrupted();
    }
}
