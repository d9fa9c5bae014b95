package io.vigil.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {

    @TempDir
    Path out;

    @Test
    void kafkaConfigFileAddsClientSettingsToTheBrokerAddress() throws Exception {
        Path file = out.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nssl.truststore.location=/etc/ca.p12\nbootstrap.servers=ignored:1\n");
        Map<String, Object> config = KafkaClientConfig.fromFile("broker:9093", file);
        assertEquals(Map.of("security.protocol", "SASL_SSL", "ssl.truststore.location", "/etc/ca.p12",
                "bootstrap.servers", "broker:9093"), config);
        assertEquals(Map.of("bootstrap.servers", "broker:9093"),
                KafkaClientConfig.fromFile("broker:9093", null));

        // The services' application.properties, as in the vigil-kafka-client Secret: the kafka.* keys count.
        Files.writeString(file, "kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=SCRAM-SHA-512\n"
                + "kafka-streams.security.protocol=SASL_SSL\n");
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "bootstrap.servers",
                "broker:9093"), KafkaClientConfig.fromFile("broker:9093", file));
    }

    @Test
    void aPodsOwnKafkaUserComesFromTheEnvironmentAsForTheServices() {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"vigil-model-trainer\" "
                + "password=\"p$1\\x\";";
        assertEquals(jaas, KafkaClientConfig.withEnvironment("${VIGIL_KAFKA_JAAS_CONFIG}", Map.of("VIGIL_KAFKA_JAAS_CONFIG", jaas)));
        assertEquals("a-b", KafkaClientConfig.withEnvironment("a-${X}", Map.of("X", "b")));
        assertEquals("plain", KafkaClientConfig.withEnvironment("plain", Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaClientConfig.withEnvironment("${VIGIL_KAFKA_JAAS_CONFIG}", Map.of()));
        assertTrue(e.getMessage().contains("${VIGIL_KAFKA_JAAS_CONFIG}"), e.getMessage());
    }
}
