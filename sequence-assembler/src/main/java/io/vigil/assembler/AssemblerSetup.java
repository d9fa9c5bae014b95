package io.vigil.assembler;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.ShutdownEvent;
import io.vigil.common.scoring.CameraModels;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.scoring.ScoringRuntime;
import io.vigil.common.scoring.SequenceScoring;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.kafka.RecordTracing;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.kafka.BoundedClose;
import io.vigil.kafka.streams.RecordGuard;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/**
 * The topology for Quarkus' Kafka Streams extension, built from configuration; with the scoring step's models when
 * it scores.
 */
@ApplicationScoped
public class AssemblerSetup {

    private ScoringRuntime scoring;

    @Produces
    Topology topology(AssemblerConfig config, MeterRegistry registry, OpenTelemetry openTelemetry) {
        Optional<Path> scoringModel = config.scoring().model();
        SequenceBuilder builder = new SequenceBuilder(checked(new SequenceSettings(config.t(), config.cropSize(),
                config.boxEnlargement(), config.minBoxSide()), scoringModel.or(config::model)));
        Optional<SequenceScoring> scoringStep = scoringModel.map(model -> {
            scoring = new ScoringRuntime(model, config.scoring());
            Timer inference = Timer.builder("vigil.scorer.inference").description("Model time per batch")
                    .publishPercentiles(0.5, 0.95).register(registry);
            registry.gauge("vigil.scorer.models.loaded", scoring.models(), CameraModels::loadedCount);
            return new SequenceScoring(scoring.models(), nanos -> inference.record(nanos, TimeUnit.NANOSECONDS));
        });
        RecordGuard.KINDS.forEach(kind -> registry.counter("vigil.assembler.rejected", "kind", kind));
        return AssemblerTopology.build(builder, scoringStep, config.maxWait(), config.punctuateInterval(),
                config.maxFramesPerCamera(), config.cameraRetention(), new AssemblerMetrics() {
                    @Override
                    public void sequenceEmitted(boolean padded) {
                        registry.counter("vigil.assembler.sequences", "padded", Boolean.toString(padded)).increment();
                    }

                    @Override
                    public void rejected(String kind) {
                        registry.counter("vigil.assembler.rejected", "kind", kind).increment();
                    }

                    @Override
                    public void scored(boolean ignoredZone) {
                        registry.counter("vigil.scorer.sequences", "outcome", ignoredZone ? "ignored-zone" : "scored")
                                .increment();
                    }
                }, new RecordTracing(openTelemetry));
    }

    /** The settings, once the model (when one is configured) takes the sequences they cut; throws otherwise. */
    static SequenceSettings checked(SequenceSettings settings, Optional<Path> model) {
        model.ifPresent(m -> ModelContract.read(m).requireSequences(settings.t(), settings.cropSize(),
                "the sequence-assembler (vigil.assembler.t, vigil.assembler.crop-size)", m.toString()));
        return settings;
    }

    /**
     * Closes the stream within {@code vigil.assembler.close-timeout}, before the Kafka Streams extension's own close, which
     * waits without limit (a broker that is gone kept a stopping service alive for minutes).
     */
    void closeStreams(@Observes @Priority(1) ShutdownEvent event, KafkaStreams streams, AssemblerConfig config) {
        BoundedClose.closeOrHalt("Kafka Streams", config.closeTimeout(), streams::close);
        if (scoring != null) {
            scoring.close();
        }
    }
}
