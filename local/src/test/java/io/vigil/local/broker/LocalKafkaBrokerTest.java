package io.vigil.local.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.Topics;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {

    @TempDir
    Path dataDir;

    @Test
    void freePortsAreDistinctBindableAndOutsideTheRangeOutgoingConnectionsUse() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = LocalKafkaBroker.freePort();
            assertTrue(seen.add(port), "handed out twice: " + port);
            assertTrue(port < 32768, "in the kernel's ephemeral range: " + port);
        }
        try (ServerSocket socket = new java.net.ServerSocket(seen.iterator().next())) {
            assertTrue(socket.isBound());
        }
    }

    @Test
    void formatsStartsCreatesTopicsAndKeepsDataAcrossARestart() throws Exception {
        List<Topics.TopicSpec> topics = List.of(new Topics.TopicSpec(Topics.FRAMES, 3), new Topics.TopicSpec(Topics.DEAD_LETTER, 1));
        LocalKafkaBroker.Config config = new LocalKafkaBroker.Config(dataDir, 0, 0, topics, Duration.ofSeconds(90));

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(config)) {
            assertTrue(Files.exists(dataDir.resolve("kafka-logs/meta.properties")), "storage was formatted");
            try (Admin admin = broker.admin()) {
                Map<String, TopicDescription> described = admin.describeTopics(List.of(Topics.FRAMES, Topics.DEAD_LETTER))
                        .allTopicNames().get();
                assertEquals(3, described.get(Topics.FRAMES).partitions().size());
                assertEquals(1, described.get(Topics.DEAD_LETTER).partitions().size());
            }
            try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
                producer.send(new ProducerRecord<>(Topics.FRAMES, "cam-1", "before-restart")).get();
            }
        }

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(config)) {
            List<String> values = readAll(broker.bootstrapServers(), Topics.FRAMES, 1);
            assertEquals(List.of("before-restart"), values, "a restarted broker keeps its data");
            broker.close();
            assertFalse(broker.isAlive(), "close() stops the process");
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(String bootstrap, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "t-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
