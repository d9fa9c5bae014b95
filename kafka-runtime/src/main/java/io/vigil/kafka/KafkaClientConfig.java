package io.vigil.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The shared {@code kafka.*} settings of a service (bootstrap servers, SASL/TLS) filtered for one kind of client.
 * Adapter code for the services' Kafka clients; domain classes do not use it.
 */
public final class KafkaClientConfig {

    private KafkaClientConfig() {
    }

    /** Keeps what a client with {@code configNames} understands, so it does not warn about the rest. */
    public static Map<String, Object> forClient(Map<String, Object> kafkaConfig, Set<String> configNames) {
        Map<String, Object> props = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (configNames.contains(k) || k.startsWith("ssl.") || k.startsWith("sasl.")) {
                props.put(k, v);
            }
        });
        return props;
    }
}
