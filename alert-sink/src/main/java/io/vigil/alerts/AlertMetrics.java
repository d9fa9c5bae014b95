package io.vigil.alerts;

/** What the alert processor counts (Micrometer behind it in the service, nothing in unit tests). */
interface AlertMetrics {

    void frameScored(String camera, float smoothed);

    void announced(String state);

    void rejected(String kind);

    /** The camera was forgotten after its retention: its per-camera meters go. */
    void forget(String camera);

    AlertMetrics NONE = new AlertMetrics() {
        @Override
        public void frameScored(String camera, float smoothed) {
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
