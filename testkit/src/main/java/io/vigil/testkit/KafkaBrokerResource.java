package io.vigil.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vigil.proto.Topics;
import java.util.Map;

/**
 * Starts a real Kafka broker in the test JVM for a {@code @QuarkusTest}, creates every Vigil topic, and points
 * the application at it. Use with {@code @QuarkusTestResource(KafkaBrokerResource.class)}; every service
 * reuses this one. Tests read {@link #bootstrapServers()} to produce and consume directly.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private static volatile InProcessKafka broker;

    @Override
    public Map<String, String> start() {
        broker = InProcessKafka.start();
        broker.createTopics(Topics.DEFAULTS);
        return Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "quarkus.kafka.devservices.enabled", "false",
                "quarkus.kafka-streams.bootstrap-servers", broker.bootstrapServers());
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** The running broker of the current test resource. */
    public static InProcessKafka broker() {
        if (broker == null) {
            throw new IllegalStateException("KafkaBrokerResource is not started");
        }
        return broker;
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
