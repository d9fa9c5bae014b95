package io.vigil.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.testkit.SharedData;
import io.vigil.trainer.data.ObjectClips;
import io.vigil.trainer.network.Architecture;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.detect.ObjectDetector;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import io.vigil.vision.onnx.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A few Adam steps on a real Ped2 training clip with real YOLOX detections reduce the joint loss. */
class TrainingStepTest {

    static ObjectClips clips;

    @BeforeAll
    static void load() throws Exception {
        Path folder = SharedData.ped2TrainingVideo("01");
        ImageCodec codec = new ImageCodec();
        List<Frame> frames = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            byte[] jpeg = Files.readAllBytes(folder.resolve(String.format("%03d.jpg", i)));
            images.add(codec.decode(jpeg));
            frames.add(Frame.newBuilder().setCameraId("train-01").setFrameIndex(i).setJpeg(ByteString.copyFrom(jpeg)).build());
        }
        List<FrameDetections> detections = new ArrayList<>();
        DetectorSpec spec = new DetectorSpec(DetectorSpec.Backend.YOLOX, SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"),
                Device.CPU, 2, 416, 0.5f, 0.45f, 8, true, MotionDetector.Settings.defaults());
        try (ObjectDetector detector = spec.create()) {
            for (FrameDetector.Outcome o : new FrameDetector(detector, DetectionFilter.threshold(0.5f), codec).process(frames)) {
                detections.add(((FrameDetector.Detected) o).detections());
            }
        }
        clips = new ObjectClips(List.of(new ObjectClips.Video("train-01", images, detections)), SequenceSettings.paper(), 4);
    }

    @Test
    void aFewStepsReduceTheJointLoss() {
        assertTrue(clips.objects().size() > 100, "objects in the clip: " + clips.objects().size());
        List<ObjectClips.ObjectRef> refs = new ArrayList<>(clips.objects());
        Collections.shuffle(refs, new Random(3));
        ObjectClips.Batch held = clips.batch(refs.subList(0, 16), new Random(4));
        assertTrue(held.size() >= 12, "most objects have room for intermittent windows: " + held.size());
        assertEquals(held.size() * 80, held.distillTarget().length);

        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(Architecture.SHALLOW_NARROW, 7, 80), 1e-3f, 1f, 42)) {
            TaskLosses before = trainer.evaluate(held);
            Random random = new Random(5);
            TaskLosses last = null;
            for (int step = 0; step < 40; step++) {
                List<ObjectClips.ObjectRef> pick = new ArrayList<>();
                for (int k = 0; k < 8; k++) {
                    pick.add(refs.get(16 + random.nextInt(refs.size() - 16)));
                }
                last = trainer.step(clips.batch(pick, random));
            }
            TaskLosses after = trainer.evaluate(held);
            System.out.println("held-out batch before: " + before + "\nafter 40 steps:         " + after + "\nlast step: " + last);
            assertTrue(after.total() < before.total() * 0.8, "joint loss " + before.total() + " -> " + after.total());
            assertTrue(after.reconstruction() < before.reconstruction(), "middle-box prediction improves");

            // Inference's batch-norm statistics re-estimated on the heads' windows: the heads' losses in inference mode
            // drop (the masked windows of the middle-box task no longer pull the statistics away).
            List<ObjectClips.Batch> statistics = new ArrayList<>();
            for (int k = 0; k < SsmtlTrainer.BATCH_NORM_BATCHES / 4; k++) {
                List<ObjectClips.ObjectRef> pick = new ArrayList<>();
                for (int j = 0; j < 8; j++) {
                    pick.add(refs.get(16 + random.nextInt(refs.size() - 16)));
                }
                statistics.add(clips.batch(pick, random));
            }
            statistics.forEach(trainer::updateMaskedBatchNormStatistics);
            SsmtlNetwork.EncoderStatistics masked = trainer.network().encoderStatistics();
            statistics.forEach(trainer::updateBatchNormStatistics);
            TaskLosses reestimated = trainer.evaluate(held);
            System.out.println("batch norm re-estimated: " + reestimated);
            assertTrue(reestimated.arrowOfTime() + reestimated.irregularity() < after.arrowOfTime() + after.irregularity(),
                    "arrow of time + irregularity in inference mode: " + after + " -> " + reestimated);

            // The middle-box pass with statistics of its own masked windows predicts better; the heads are untouched.
            trainer.network().maskedStatistics(masked);
            TaskLosses own = trainer.evaluate(held);
            System.out.println("the middle-box pass's own statistics: " + own);
            assertTrue(own.reconstruction() < reestimated.reconstruction(),
                    "middle-box loss " + reestimated.reconstruction() + " -> " + own.reconstruction());
            assertEquals(reestimated.arrowOfTime(), own.arrowOfTime());
            assertEquals(reestimated.distillation(), own.distillation());
        }
    }

    /**
     * After training on, a checkpoint loaded again is what every later pass computes with, and what batch-norm
     * re-estimation updates: the trainer's export after its last epoch loads the best one. DJL's parameter store kept
     * the arrays of the training steps, so the exported middle-box pass got the plain pass's statistics.
     */
    @Test
    void aCheckpointLoadedAfterMoreStepsIsWhatThePassesUse(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        List<ObjectClips.ObjectRef> refs = new ArrayList<>(clips.objects());
        Collections.shuffle(refs, new Random(3));
        ObjectClips.Batch held = clips.batch(refs.subList(0, 16), new Random(4));
        Random random = new Random(6);
        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(Architecture.SHALLOW_NARROW, 7, 80), 1e-3f, 1f, 42)) {
            for (int step = 0; step < 3; step++) {
                trainer.step(clips.batch(refs.subList(16 + 8 * step, 24 + 8 * step), random));
            }
            Path checkpoint = temp.resolve("checkpoint.params");
            trainer.save(checkpoint);
            TaskLosses saved = trainer.evaluate(held);
            for (int step = 3; step < 8; step++) {
                trainer.step(clips.batch(refs.subList(16 + 8 * step, 24 + 8 * step), random));
            }
            assertTrue(trainer.evaluate(held).total() != saved.total(), "the later steps changed the weights");

            trainer.load(checkpoint);
            assertEquals(saved, trainer.evaluate(held), "the loaded checkpoint's losses");
            SsmtlNetwork.EncoderStatistics loaded = trainer.network().encoderStatistics();
            trainer.updateMaskedBatchNormStatistics(held);
            assertTrue(!java.util.Arrays.equals(loaded.means().get(0), trainer.network().encoderStatistics().means().get(0)),
                    "re-estimation reaches the network's statistics");
        }
    }
}
