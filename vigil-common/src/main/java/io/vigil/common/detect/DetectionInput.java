package io.vigil.common.detect;

import io.vigil.common.image.RgbImage;

/** A frame to detect objects in; the camera id lets stateful detectors (motion) keep one model per camera. */
public record DetectionInput(String cameraId, long frameIndex, RgbImage image) {
}
