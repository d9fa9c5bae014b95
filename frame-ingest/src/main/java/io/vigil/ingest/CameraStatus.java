package io.vigil.ingest;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of one camera, read by health checks and metrics while the runner updates them. */
public final class CameraStatus {

    private final String cameraId;
    private final String source;
    private volatile CameraState state = CameraState.STARTING;
    private volatile String lastError = "";
    private volatile long lastFrameIndex = -1;
    private final AtomicLong framesPublished = new AtomicLong();
    private final AtomicLong bytesPublished = new AtomicLong();
    private final AtomicLong badFrames = new AtomicLong();
    private final AtomicLong sourceErrors = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final RateMeter decodeRate = new RateMeter();

    public CameraStatus(String cameraId, String source) {
        this.cameraId = cameraId;
        this.source = source;
    }

    void published(long frameIndex, int bytes, long nowNanos) {
        lastFrameIndex = frameIndex;
        framesPublished.incrementAndGet();
        bytesPublished.addAndGet(bytes);
        decodeRate.tick(nowNanos);
    }

    void badFrame(String error) {
        badFrames.incrementAndGet();
        lastError = error;
    }

    void sourceError(String error) {
        sourceErrors.incrementAndGet();
        lastError = error;
    }

    void reconnecting(String error) {
        reconnects.incrementAndGet();
        lastError = error;
        state = CameraState.RECONNECTING;
    }

    void state(CameraState newState) {
        state = newState;
    }

    public String cameraId() {
        return cameraId;
    }

    public String source() {
        return source;
    }

    public CameraState state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public long lastFrameIndex() {
        return lastFrameIndex;
    }

    public long framesPublished() {
        return framesPublished.get();
    }

    public long bytesPublished() {
        return bytesPublished.get();
    }

    public long badFrames() {
        return badFrames.get();
    }

    public long sourceErrors() {
        return sourceErrors.get();
    }

    public long reconnects() {
        return reconnects.get();
    }

    /** Frames decoded and published per second, smoothed over the last seconds. */
    public double decodeFps() {
        return decodeRate.rate(System.nanoTime());
    }
}
