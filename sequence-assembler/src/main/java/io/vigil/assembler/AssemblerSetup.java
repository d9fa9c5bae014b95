package io.vigil.assembler;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vigil.common.scoring.ModelContract;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.kafka.BoundedClose;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/** The topology for Quarkus' Kafka Streams extension, built from configuration. */
@ApplicationScoped
public class AssemblerSetup {

    @Produces
    Topology topology(AssemblerConfig config, MeterRegistry registry) {
        SequenceBuilder builder = new SequenceBuilder(checked(new SequenceSettings(config.t(), config.cropSize(),
                config.boxEnlargement(), config.minBoxSide()), config.model()));
        return AssemblerTopology.build(builder, config.maxWait(), config.punctuateInterval(), config.maxFramesPerCamera(),
                config.cameraRetention(), new AssemblerMetrics() {
                    @Override
                    public void sequenceEmitted(boolean padded) {
                        registry.counter("vigil.assembler.sequences", "padded", Boolean.toString(padded)).increment();
                    }

                    @Override
                    public void rejected(String kind) {
                        registry.counter("vigil.assembler.rejected", "kind", kind).increment();
                    }
                });
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
    }
}
