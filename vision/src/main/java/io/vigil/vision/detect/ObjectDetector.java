package io.vigil.vision.detect;

import java.util.List;

/**
 * Finds objects in frames. Implementations are thread-safe; a batch may mix cameras.
 * Results are raw (above the backend's candidate threshold, after NMS); {@link DetectionFilter} applies the
 * configured thresholds, class allow-list, minimum size and clipping.
 */
public interface ObjectDetector extends AutoCloseable {

    /** One list of boxes per input, in input order. */
    List<List<DetectedBox>> detect(List<DetectionInput> batch);

    /** Backend and model, e.g. {@code yolox:yolox_nano.onnx}, carried in every FrameDetections. */
    String name();

    /** Largest batch one inference call takes (1 for models with a fixed batch of one). */
    int maxBatch();

    @Override
    void close();
}
