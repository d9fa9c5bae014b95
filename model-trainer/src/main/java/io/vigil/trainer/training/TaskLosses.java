package io.vigil.trainer.training;

/** The four proxy-task losses of one step and the joint loss L1 + L2 + L3 + lambda * L4. */
public record TaskLosses(float arrowOfTime, float irregularity, float reconstruction, float distillation, float total) {

    public boolean finite() {
        return Float.isFinite(arrowOfTime) && Float.isFinite(irregularity) && Float.isFinite(reconstruction)
                && Float.isFinite(distillation) && Float.isFinite(total);
    }

    @Override
    public String toString() {
        return String.format("aot %.4f  mi %.4f  rec %.4f  dist %.4f  total %.4f", arrowOfTime, irregularity, reconstruction,
                distillation, total);
    }
}
