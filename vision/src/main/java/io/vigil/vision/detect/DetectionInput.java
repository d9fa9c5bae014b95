package io.vigil.vision.detect;

import io.vigil.vision.image.RgbImage;

/** A frame to detect objects in; the camera id lets stateful detectors (motion) keep one model per camera. */
public record DetectionInput(String cameraId, long frameIndex, RgbImage image) {
}
