package io.vigil.alerts;

/** What the alert processor counts (Micrometer behind it in the service, nothing in unit tests). */
interface AlertMetrics {

    /** A frame's score went out; {@code captureTimeMs} is when the camera's frame was captured (0: unknown). */
    void frameScored(String camera, float smoothed, long captureTimeMs);

    void announced(String state);

    void rejected(String kind);

    /** The camera was forgotten after its retention: its per-camera meters go. */
    void forget(String camera);

    AlertMetrics NONE = new AlertMetrics() {
        @Override
        public void frameScored(String camera, float smoothed, long captureTimeMs) {
        }

        @Override
        public void announced(String state) {
        }

        @Override
        public void rejected(String kind) {
        }

        @Override
        public void forget(String camera) {
        }
    };
}
