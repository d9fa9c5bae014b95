package io.vigil.scorer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.common.detect.DetectionFilter;
import io.vigil.common.detect.DetectorSpec;
import io.vigil.common.detect.FrameDetector;
import io.vigil.common.detect.MotionDetector;
import io.vigil.common.detect.ObjectDetector;
import io.vigil.common.image.ImageCodec;
import io.vigil.common.image.RgbImage;
import io.vigil.common.onnx.Device;
import io.vigil.common.onnx.OnnxModel;
import io.vigil.common.onnx.OnnxSessionFactory;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.common.sequence.WindowPlan;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model trained on Ped2's normal videos (models/ssmtl-ped2-shallow-narrow.onnx) on test video 02: objects on the
 * labelled anomaly (pixel masks: the bike) score higher on average than the other objects (pedestrians).
 */
class Ped2AnomalyRankingTest {

    @Test
    void anomalousObjectsScoreHigherThanPedestrians() throws Exception {
        Path video = SharedData.ped2TestVideo("02");
        Path masks = SharedData.require("datasets/ucsd-ped2/testing-masks/02");
        Path model = Path.of(System.getProperty("vigil.models.dir", "../models"), "ssmtl-ped2-shallow-narrow.onnx");
        ImageCodec codec = new ImageCodec();
        List<RgbImage> images = new ArrayList<>();
        List<RgbImage> maskImages = new ArrayList<>();
        List<Frame> frames = new ArrayList<>();
        try (var files = Files.list(video)) {
            for (Path f : files.sorted().toList()) {
                byte[] jpeg = Files.readAllBytes(f);
                images.add(codec.decode(jpeg));
                maskImages.add(codec.decode(Files.readAllBytes(masks.resolve(f.getFileName().toString().replace(".jpg", ".png")))));
                frames.add(Frame.newBuilder().setCameraId("ped2-02").setFrameIndex(frames.size()).setJpeg(ByteString.copyFrom(jpeg)).build());
            }
        }
        List<FrameDetections> detections = new ArrayList<>();
        DetectorSpec spec = new DetectorSpec(DetectorSpec.Backend.YOLOX, SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"),
                Device.CPU, 2, 416, 0.5f, 0.45f, 8, true, MotionDetector.Settings.defaults());
        try (ObjectDetector detector = spec.create()) {
            for (FrameDetector.Outcome o : new FrameDetector(detector, DetectionFilter.threshold(0.5f), codec).process(frames)) {
                detections.add(((FrameDetector.Detected) o).detections());
            }
        }
        SequenceBuilder builder = new SequenceBuilder(SequenceSettings.paper());
        List<ObjectSequence> sequences = new ArrayList<>();
        List<Boolean> anomalous = new ArrayList<>();
        for (FrameDetections d : detections) {
            WindowPlan plan = WindowPlan.plan(d.getFrameIndex(), 3, i -> i >= 0 && i < images.size());
            for (SequenceBuilder.Outcome o : builder.build(d, plan, i -> images.get((int) i))) {
                if (o instanceof SequenceBuilder.Built b) {
                    sequences.add(b.sequence());
                    anomalous.add(onMask(b.sequence().getDetection().getBox(), maskImages.get((int) d.getFrameIndex())));
                }
            }
        }
        try (OnnxModel onnx = OnnxSessionFactory.open(model, OnnxSessionFactory.Options.cpu(2))) {
            SsmtlScorer scorer = new SsmtlScorer(onnx, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.ZSCORE);
            double[] sum = new double[2];
            int[] count = new int[2];
            double[][] raw = new double[2][4];
            for (int from = 0; from < sequences.size(); from += 32) {
                List<SsmtlScorer.Scores> s = scorer.score(sequences.subList(from, Math.min(sequences.size(), from + 32)));
                for (int k = 0; k < s.size(); k++) {
                    int group = anomalous.get(from + k) ? 1 : 0;
                    sum[group] += s.get(k).score();
                    count[group]++;
                    for (SsmtlScorer.Task t : SsmtlScorer.Task.values()) {
                        raw[group][t.ordinal()] += s.get(k).raw(t);
                    }
                }
            }
            double normal = sum[0] / count[0];
            double abnormal = sum[1] / count[1];
            System.out.printf("Ped2 test 02: %d normal objects mean score %.3f, %d anomalous objects mean score %.3f%n",
                    count[0], normal, count[1], abnormal);
            for (SsmtlScorer.Task t : SsmtlScorer.Task.values()) {
                System.out.printf("  raw %s: normal %.4f, anomalous %.4f%n", t, raw[0][t.ordinal()] / count[0],
                        raw[1][t.ordinal()] / count[1]);
            }
            assertTrue(count[1] >= 20, "objects on the anomaly: " + count[1]);
            assertTrue(abnormal > normal, "anomalous " + abnormal + " vs normal " + normal);
        }
    }

    /** At least 30% of the box lies on the ground-truth anomaly mask. */
    private static boolean onMask(Box b, RgbImage mask) {
        int on = 0;
        int all = 0;
        for (int y = Math.max(0, (int) b.getY1()); y < Math.min(mask.height(), (int) b.getY2()); y++) {
            for (int x = Math.max(0, (int) b.getX1()); x < Math.min(mask.width(), (int) b.getX2()); x++) {
                all++;
                on += mask.value(x, y, 0) > 127 ? 1 : 0;
            }
        }
        return all > 0 && on >= 0.3 * all;
    }
}
