package io.vigil.vision.onnx;

/** A model that cannot be used: missing file, unreadable graph, unavailable device, wrong inputs/outputs. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
