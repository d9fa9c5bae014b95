package io.vigil.trainer.training;

import io.vigil.common.scoring.Calibrator;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.common.sequence.WindowPlan;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.trainer.data.ObjectClips;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Puts an exported model on the surprise scale: every object of normal videos the model did not train on is cut and
 * scored exactly as the services do it ({@link SequenceBuilder}, {@link SsmtlScorer}, the speed included), and the
 * {@link Calibrator}'s tables go into the model's metadata.
 */
public final class ModelCalibration {

    private ModelCalibration() {
    }

    /**
     * The calibration metadata of {@code onnx} from the objects of {@code videos}, as {@code choice} says (the cues the
     * services then score with, how they combine, which are read by band of speed).
     */
    public static Map<String, String> of(Path onnx, List<ObjectClips.Video> videos, SequenceSettings settings,
            Calibrator.Choice choice, int threads, PrintStream log) {
        Calibrator calibrator = new Calibrator();
        SequenceBuilder builder = new SequenceBuilder(settings);
        try (OnnxModel model = OnnxSessionFactory.open(onnx, OnnxSessionFactory.Options.cpu(threads))) {
            SsmtlScorer scorer = new SsmtlScorer(model, EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE);
            for (ObjectClips.Video video : videos) {
                int n = video.frames().size();
                List<ObjectSequence> sequences = new ArrayList<>();
                for (FrameDetections d : video.detections()) {
                    WindowPlan plan = WindowPlan.plan(d.getFrameIndex(), settings.t(), i -> i >= 0 && i < n);
                    for (SequenceBuilder.Outcome o : builder.build(d, plan, i -> video.frames().get((int) i))) {
                        if (o instanceof SequenceBuilder.Built b) {
                            sequences.add(b.sequence());
                        }
                    }
                }
                for (int from = 0; from < sequences.size(); from += 32) {
                    calibrator.add(scorer.score(sequences.subList(from, Math.min(sequences.size(), from + 32))));
                }
                log.printf("calibration: video %s, %d objects%n", video.id(), sequences.size());
            }
            Map<String, String> metadata = calibrator.metadata(choice);
            log.printf("calibration: %d normal objects of %d videos; combined scale over %s (%s); by speed: %s%n",
                    calibrator.size(), videos.size(), metadata.get("vigil.calibration." + SsmtlScorer.COMBINED + ".tasks"),
                    metadata.get(SsmtlScorer.Combination.KEY), choice.bySpeed().isEmpty() ? "none"
                    : SsmtlScorer.taskNames(choice.bySpeed()));
            return metadata;
        }
    }
}
