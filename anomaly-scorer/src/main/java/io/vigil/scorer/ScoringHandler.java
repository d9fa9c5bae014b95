package io.vigil.scorer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.scoring.ObjectScores;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.kafka.TransactionalLoop;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Scores a chunk of sequences (any cameras), each with its camera's model version; bad sequences become dead letters. */
final class ScoringHandler implements TransactionalLoop.Handler {

    static final String STAGE = "anomaly-scorer";

    private final CameraModels models;
    private final Counter scored;
    private final Counter rejected;
    private final Counter ignored;
    private final Timer inference;

    ScoringHandler(CameraModels models, MeterRegistry registry) {
        this.models = models;
        this.scored = registry.counter("vigil.scorer.sequences", "outcome", "scored");
        this.rejected = registry.counter("vigil.scorer.sequences", "outcome", "rejected");
        this.ignored = registry.counter("vigil.scorer.sequences", "outcome", "ignored-zone");
        this.inference = Timer.builder("vigil.scorer.inference").description("Model time per batch")
                .publishPercentiles(0.5, 0.95).register(registry);
        Gauge.builder("vigil.onnx.cuda.fallback", () -> OnnxSessionFactory.cudaFellBack() ? 1 : 0)
                .description("1 when a model asked for CUDA and runs on the CPU").register(registry);
    }

    @Override
    public void handle(List<ConsumerRecord<String, byte[]>> records, TransactionalLoop.Output out) {
        // One version per camera for the whole chunk; cameras that share a version are scored in one batch.
        Map<String, ScoringModel.Version> byCamera = new HashMap<>();
        Map<ScoringModel.Version, List<ObjectSequence>> batches = new LinkedHashMap<>();
        try {
            for (ConsumerRecord<String, byte[]> r : records) {
                var checked = out.parseChecked(r, VigilSerdes.OBJECT_SEQUENCE, MessageChecks::sequence);
                if (checked.isEmpty()) {
                    rejected.increment();
                    continue;
                }
                ObjectSequence s = checked.get();
                var zone = models.notScoredZone(s);
                if (zone.isPresent()) {
                    // Still published: downstream waits for a score of every detected object.
                    send(out, ObjectScores.ignored(s, zone.get().getName()));
                    ignored.increment();
                    continue;
                }
                ScoringModel.Version version = byCamera.computeIfAbsent(s.getCameraId(), models::acquire);
                String problem = version.scorer().incompatibility(s);
                if (problem != null) {
                    rejected.increment();
                    out.deadLetter(r, problem + " (model " + version.id() + ")", null);
                } else {
                    batches.computeIfAbsent(version, v -> new ArrayList<>()).add(s);
                }
            }
            for (var batch : batches.entrySet()) {
                ScoringModel.Version version = batch.getKey();
                List<ObjectSequence> good = batch.getValue();
                List<SsmtlScorer.Scores> scores = inference.record(() -> version.scorer().score(good));
                for (int i = 0; i < good.size(); i++) {
                    send(out, ObjectScores.of(good.get(i), scores.get(i), version.scorer().cueSurprises(scores.get(i)),
                            version.id()));
                    scored.increment();
                }
            }
        } finally {
            byCamera.values().forEach(ScoringModel.Version::release);
        }
    }

    private static void send(TransactionalLoop.Output out, ObjectScore score) {
        out.send(new ProducerRecord<>(Topics.OBJECT_SCORES, score.getCameraId(),
                VigilSerdes.OBJECT_SCORE.serializer().serialize(Topics.OBJECT_SCORES, score)));
    }
}
