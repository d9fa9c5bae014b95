package io.vigil.ingest.source;

/**
 * One frame as a source delivers it, already JPEG-encoded.
 *
 * @param index         position in the source (0-based); the camera runner makes it monotonic per camera
 * @param captureTimeMs epoch milliseconds
 */
public record SourceFrame(long index, long captureTimeMs, int width, int height, byte[] jpeg) {

    public SourceFrame withIndex(long newIndex) {
        return new SourceFrame(newIndex, captureTimeMs, width, height, jpeg);
    }
}
