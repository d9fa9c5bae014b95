package io.vigil.common.scoring;

import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scoring step: a batch of sequences (any cameras) in, one outcome per sequence out, in the same order. Each
 * camera's sequences are scored by its model's version of the moment ({@link CameraModels}), cameras that share a
 * version in one model call. The anomaly-scorer runs it on what it reads from vigil.sequences; an assembler that
 * scores in its own process runs it on the sequences of a frame it has just cut.
 */
public final class SequenceScoring {

    /** What became of one sequence. */
    public sealed interface Outcome permits Scored, Rejected {
    }

    /** Its score; {@code ignoredZone}: in a NOT_SCORED zone, published unscored (downstream waits for every object). */
    public record Scored(ObjectScore score, boolean ignoredZone) implements Outcome {
    }

    /** Not scorable by its camera's model (a dead letter saying why). */
    public record Rejected(String reason) implements Outcome {
    }

    /** Model time per call, for a timer. */
    public interface InferenceTimer {
        void record(long nanos);
    }

    private final CameraModels models;
    private final InferenceTimer timer;

    public SequenceScoring(CameraModels models, InferenceTimer timer) {
        this.models = models;
        this.timer = timer;
    }

    public List<Outcome> score(List<ObjectSequence> sequences) {
        Outcome[] outcomes = new Outcome[sequences.size()];
        // One version per camera for the whole batch; cameras that share a version are scored in one call.
        Map<String, ScoringModel.Version> byCamera = new HashMap<>();
        Map<ScoringModel.Version, List<Integer>> batches = new LinkedHashMap<>();
        try {
            for (int i = 0; i < sequences.size(); i++) {
                ObjectSequence s = sequences.get(i);
                Optional<IgnoreZone> zone = models.notScoredZone(s);
                if (zone.isPresent()) {
                    outcomes[i] = new Scored(ObjectScores.ignored(s, zone.get().getName()), true);
                    continue;
                }
                ScoringModel.Version version = byCamera.computeIfAbsent(s.getCameraId(), models::acquire);
                String problem = version.scorer().incompatibility(s);
                if (problem != null) {
                    outcomes[i] = new Rejected(problem + " (model " + version.id() + ")");
                } else {
                    batches.computeIfAbsent(version, v -> new ArrayList<>()).add(i);
                }
            }
            for (var batch : batches.entrySet()) {
                ScoringModel.Version version = batch.getKey();
                List<ObjectSequence> good = batch.getValue().stream().map(sequences::get).toList();
                long start = System.nanoTime();
                List<SsmtlScorer.Scores> scores = version.scorer().score(good);
                timer.record(System.nanoTime() - start);
                for (int k = 0; k < good.size(); k++) {
                    outcomes[batch.getValue().get(k)] = new Scored(ObjectScores.of(good.get(k), scores.get(k),
                            version.scorer().cueSurprises(scores.get(k)), version.id()), false);
                }
            }
        } finally {
            byCamera.values().forEach(ScoringModel.Version::release);
        }
        return Arrays.asList(outcomes);
    }
}
