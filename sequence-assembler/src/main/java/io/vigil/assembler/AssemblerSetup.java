package io.vigil.assembler;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** The topology for Quarkus' Kafka Streams extension, built from configuration. */
@ApplicationScoped
public class AssemblerSetup {

    @Produces
    Topology topology(AssemblerConfig config, MeterRegistry registry) {
        SequenceBuilder builder = new SequenceBuilder(new SequenceSettings(config.t(), config.cropSize(),
                config.boxEnlargement(), config.minBoxSide()));
        return AssemblerTopology.build(builder, config.maxWait(), config.punctuateInterval(), config.maxFramesPerCamera(),
                new AssemblerMetrics() {
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
}
