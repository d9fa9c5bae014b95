package io.vigil.assembler;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.testkit.SharedData;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.detect.ObjectDetector;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.onnx.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real Ped2 frames with their real YOLOX-Nano detections (computed here with the shared detector code). */
final class Ped2Detections {

    final List<Frame> frames = new ArrayList<>();
    final List<FrameDetections> detections = new ArrayList<>();

    Ped2Detections(String camera, String video, int count) throws Exception {
        Path folder = SharedData.ped2TestVideo(video);
        for (int i = 0; i < count; i++) {
            frames.add(Frame.newBuilder().setCameraId(camera).setFrameIndex(i).setCaptureTimeMs(i * 100L).setWidth(360)
                    .setHeight(240).setJpeg(ByteString.copyFrom(Files.readAllBytes(folder.resolve(String.format("%03d.jpg", i)))))
                    .setEndOfSource(i == count - 1).setSource(folder.toString()).build());
        }
        DetectorSpec spec = new DetectorSpec(DetectorSpec.Backend.YOLOX,
                SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"), Device.CPU, 2, 416, 0.5f, 0.45f, 8, true,
                MotionDetector.Settings.defaults());
        try (ObjectDetector detector = spec.create()) {
            FrameDetector fd = new FrameDetector(detector, DetectionFilter.threshold(0.5f), new ImageCodec());
            for (FrameDetector.Outcome o : fd.process(frames)) {
                detections.add(((FrameDetector.Detected) o).detections());
            }
        }
    }

    int objectCount(int fromFrame, int toFrame) {
        return detections.subList(fromFrame, toFrame).stream().mapToInt(FrameDetections::getDetectionsCount).sum();
    }
}
