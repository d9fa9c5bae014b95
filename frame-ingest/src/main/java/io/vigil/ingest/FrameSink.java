package io.vigil.ingest;

import io.vigil.proto.v1.Frame;

/** Where frames go (Kafka in the service, a list in tests). Implementations are thread-safe. */
public interface FrameSink {

    /** Publishes a frame asynchronously; keyed by camera id so one camera's frames stay in order. */
    void publish(Frame frame);

    /** Sends input that could not become a frame to the dead-letter topic, with the reason. */
    void reject(RejectedInput rejected);

    /** Waits until everything published so far is acknowledged; true when none of it failed. */
    boolean flush();

    /**
     * @param frameIndex the index the frame would have had, or -1 when the whole source failed
     * @param payload    the raw bytes that were read (may be empty)
     */
    record RejectedInput(String cameraId, String source, long frameIndex, byte[] payload, String reason,
            Throwable cause) {
    }
}
