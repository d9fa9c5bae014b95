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

    /** Finds where this camera stopped before (empty for a new camera). */
    @FunctionalInterface
    public interface ResumeLookup {
        Optional<ResumePoint> find(String cameraId) throws Exception;
    }

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
    private final ResumeLookup resumeLookup;
    private final boolean resumeFinite;
    private final CameraStatus status;
    private volatile boolean stopRequested;

    public CameraRunner(String cameraId, String sourceDescription, SourceOpener opener, FrameSink sink, double fpsCap,
            boolean loop) {
        this(cameraId, sourceDescription, opener, sink, fpsCap, loop, id -> Optional.empty(), true);
    }

    /**
     * @param resumeLookup where this camera stopped before a restart
     * @param resumeFinite a restarted file/folder continues after its last published frame (else starts over,
     *                     with indices after the last published one)
     */
    public CameraRunner(String cameraId, String sourceDescription, SourceOpener opener, FrameSink sink, double fpsCap,
            boolean loop, ResumeLookup resumeLookup, boolean resumeFinite) {
        this.resumeLookup = resumeLookup;
        this.resumeFinite = resumeFinite;
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
        try {
            Optional<ResumePoint> resume = findResumePoint();
            if (status.state() == CameraState.FAILED) {
                return;
            }
            long nextIndex = -1;
            do {
                nextIndex = publishOnce(nextIndex, resume.orElse(null)) + 1;
                resume = Optional.empty();
            } while (loop && !stopped() && status.state() != CameraState.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The sink itself failed (e.g. producer closed): nothing to dead-letter through; this camera stops.
            LOG.errorf(e, "camera %s stopped", cameraId);
            status.sourceError("camera " + cameraId + " stopped: " + e);
            status.state(CameraState.FAILED);
        } finally {
            if (!status.state().isTerminal()) {
                status.state(stopped() ? CameraState.STOPPED : CameraState.FINISHED);
            }
            LOG.infof("camera %s %s after %d frames (%d bad)", cameraId, status.state(), status.framesPublished(),
                    status.badFrames());
        }
    }

    private Optional<ResumePoint> findResumePoint() {
        try {
            Optional<ResumePoint> found = resumeLookup.find(cameraId);
            found.ifPresent(r -> LOG.infof("camera %s published up to frame %d of %s before%s", cameraId, r.lastIndex(),
                    r.source(), r.endOfSource() ? " (complete)" : ""));
            return found;
        } catch (Exception e) {
            // Without knowing where it stopped the camera could repeat frame indices: do not start it.
            fail("camera " + cameraId + ": cannot read where it stopped before: " + e.getMessage(), e);
            return Optional.empty();
        }
    }

    /**
     * Publishes the source from start to end; returns the last index used.
     *
     * @param nextIndex first index when replaying a looped source, -1 on the first pass
     * @param resume    where the camera stopped before this instance started, or null
     */
    private long publishOnce(long nextIndex, ResumePoint resume) throws InterruptedException {
        FrameSource source;
        try {
            source = opener.open();
        } catch (SourceException e) {
            fail("camera " + cameraId + ": " + e.getMessage(), e);
            return nextIndex - 1;
        }
        ResumePoint.Plan plan = resume == null
                ? new ResumePoint.Plan(Math.max(0, nextIndex), -1, false)
                : resume.plan(source.isLive(), resume.source().equals(sourceDescription), loop, resumeFinite);
        if (plan.alreadyComplete()) {
            source.close();
            LOG.infof("camera %s: %s was published completely before; nothing to do (set resume-finite=false to "
                    + "publish it again)", cameraId, sourceDescription);
            status.state(CameraState.FINISHED);
            return resume.lastIndex();
        }
        return publishFrom(source, plan);
    }

    /** Publishes the source's frames from the plan's first until its end or a stop; returns the last index read. */
    private long publishFrom(FrameSource source, ResumePoint.Plan plan) throws InterruptedException {
        long indexOffset = plan.indexOffset();
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
                if (next.get().index() <= plan.skipThrough()) {
                    continue; // published before the restart
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
