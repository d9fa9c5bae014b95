package io.vigil.scorer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.scoring.CameraModels;
import io.vigil.common.scoring.SequenceScoring;
import io.vigil.kafka.TransactionalLoop;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Scores a chunk of sequences read from vigil.sequences ({@link SequenceScoring}); bad ones become dead letters. */
final class ScoringHandler implements TransactionalLoop.Handler {

    static final String STAGE = "anomaly-scorer";

    private final SequenceScoring scoring;
    private final Counter scored;
    private final Counter rejected;
    private final Counter ignored;

    ScoringHandler(CameraModels models, MeterRegistry registry) {
        Timer inference = Timer.builder("vigil.scorer.inference").description("Model time per batch")
                .publishPercentiles(0.5, 0.95).register(registry);
        this.scoring = new SequenceScoring(models, nanos -> inference.record(nanos, TimeUnit.NANOSECONDS));
        this.scored = registry.counter("vigil.scorer.sequences", "outcome", "scored");
        this.rejected = registry.counter("vigil.scorer.sequences", "outcome", "rejected");
        this.ignored = registry.counter("vigil.scorer.sequences", "outcome", "ignored-zone");
        Gauge.builder("vigil.onnx.cuda.fallback", () -> OnnxSessionFactory.cudaFellBack() ? 1 : 0)
                .description("1 when a model asked for CUDA and runs on the CPU").register(registry);
    }

    @Override
    public void handle(List<ConsumerRecord<String, byte[]>> records, TransactionalLoop.Output out) {
        List<ConsumerRecord<String, byte[]>> parsed = new ArrayList<>();
        List<ObjectSequence> sequences = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            var checked = out.parseChecked(r, VigilSerdes.OBJECT_SEQUENCE, MessageChecks::sequence);
            if (checked.isPresent()) {
                parsed.add(r);
                sequences.add(checked.get());
            } else {
                rejected.increment();
            }
        }
        List<SequenceScoring.Outcome> outcomes = scoring.score(sequences);
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof SequenceScoring.Scored s) {
                send(out, parsed.get(i), s.score());
                (s.ignoredZone() ? ignored : scored).increment();
            } else if (outcomes.get(i) instanceof SequenceScoring.Rejected r) {
                rejected.increment();
                out.deadLetter(parsed.get(i), r.reason(), null);
            }
        }
    }

    private static void send(TransactionalLoop.Output out, ConsumerRecord<String, byte[]> from, ObjectScore score) {
        out.send(from, new ProducerRecord<>(Topics.OBJECT_SCORES, score.getCameraId(),
                VigilSerdes.OBJECT_SCORE.serializer().serialize(Topics.OBJECT_SCORES, score)));
    }
}
