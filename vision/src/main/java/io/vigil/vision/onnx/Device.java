package io.vigil.vision.onnx;

/** Where a model runs. {@code AUTO} tries CUDA and falls back to CPU; {@code CUDA} insists on it. */
public enum Device {
    AUTO, CPU, CUDA
}
