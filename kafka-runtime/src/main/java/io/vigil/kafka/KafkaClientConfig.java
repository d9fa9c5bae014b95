package io.vigil.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * For tools outside the services (the evaluator, the trainer, benches): bootstrap servers plus the client settings
     * of a properties file (null: none), in Kafka's own tools' format or as a service's {@code application.properties}
     * from the vigil-kafka-client Secret ({@code kafka.*} without the prefix, no Streams keys).
     */
    public static Map<String, Object> fromFile(String bootstrap, Path settings) throws IOException {
        Map<String, Object> config = new HashMap<>();
        if (settings != null) {
            Properties p = new Properties();
            try (Reader reader = Files.newBufferedReader(settings)) {
                p.load(reader);
            }
            for (String k : p.stringPropertyNames()) {
                String value = withEnvironment(p.getProperty(k), System.getenv());
                if (k.startsWith("kafka.")) {
                    config.put(k.substring("kafka.".length()), value);
                } else if (!k.startsWith("kafka-streams.")) {
                    config.putIfAbsent(k, value);
                }
            }
        }
        config.put("bootstrap.servers", bootstrap);
        return config;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /**
     * {@code value} with each {@code ${NAME}} replaced by the environment variable NAME, as Quarkus expands the same
     * file for the services (a pod's own Kafka user arrives as {@code VIGIL_KAFKA_JAAS_CONFIG}); a missing one is an
     * error that names it.
     */
    static String withEnvironment(String value, Map<String, String> environment) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = environment.get(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("the Kafka client settings refer to ${" + m.group(1)
                        + "}, which is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        return m.appendTail(out).toString();
    }
}
