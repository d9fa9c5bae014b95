package io.vigil.assembler;

/** What the assembler counts; the service backs it with Micrometer, tests with nothing. */
public interface AssemblerMetrics {

    void sequenceEmitted(boolean padded);

    void rejected(String kind);

    /** A sequence scored in this process (see {@code vigil.assembler.scoring}). */
    default void scored(boolean ignoredZone) {
    }

    AssemblerMetrics NONE = new AssemblerMetrics() {
        @Override
        public void sequenceEmitted(boolean padded) {
        }

        @Override
        public void rejected(String kind) {
        }
    };
}
