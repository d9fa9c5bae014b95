package io.vigil.vision.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An ONNX Runtime session with the device it actually runs on. One instance per model file, shared by all
 * threads: {@link OrtSession#run} is thread-safe.
 */
public record OnnxModel(Path path, OrtSession session, Device device) implements AutoCloseable {

    /** Input or output name mapped to its declared shape; -1 marks a dynamic dimension. */
    public Map<String, long[]> inputShapes() {
        return shapes(() -> session.getInputInfo());
    }

    public Map<String, long[]> outputShapes() {
        return shapes(() -> session.getOutputInfo());
    }

    /** "inputs {images=[1, 3, 416, 416]} outputs {output=[1, 3549, 85]}", for error messages. */
    public String describeSignature() {
        return "inputs " + format(inputShapes()) + " outputs " + format(outputShapes());
    }

    /** Model metadata (producer, custom key/values), empty when the model has none. */
    public Map<String, String> customMetadata() {
        try {
            return session.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new ModelLoadException("cannot read metadata of " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing session of " + path + " failed", e);
        }
    }

    private interface InfoSupplier {
        Map<String, NodeInfo> get() throws OrtException;
    }

    private Map<String, long[]> shapes(InfoSupplier supplier) {
        try {
            return supplier.get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> e.getValue().getInfo() instanceof TensorInfo t ? t.getShape() : new long[0],
                    (a, b) -> a, java.util.LinkedHashMap::new));
        } catch (OrtException e) {
            throw new ModelLoadException("cannot read the signature of " + path + ": " + e.getMessage(), e);
        }
    }

    private static String format(Map<String, long[]> shapes) {
        return shapes.entrySet().stream().map(e -> e.getKey() + "=" + Arrays.toString(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
