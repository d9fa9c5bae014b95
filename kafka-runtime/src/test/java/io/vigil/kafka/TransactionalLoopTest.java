package io.vigil.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.testkit.InProcessKafka;
import io.vigil.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The loop on a real broker: a record that makes the handler throw is dead-lettered, and the loop lives on. */
class TransactionalLoopTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aRecordThatMakesTheHandlerThrowIsDeadLetteredAloneAndTheLoopGoesOn() throws Exception {
        InProcessKafka kafka = InProcessKafka.shared();
        kafka.createTopics(List.of(new Topics.TopicSpec("loop-in", 1), new Topics.TopicSpec("loop-out", 1),
                new Topics.TopicSpec(Topics.DEAD_LETTER, 1)));
        // Upper-cases each value; "boom" sends a partial output first, then throws, as a bug would halfway.
        TransactionalLoop.Handler handler = (chunk, out) -> {
            for (ConsumerRecord<String, byte[]> r : chunk) {
                String v = text(r.value());
                out.send(new ProducerRecord<>("loop-out", r.key(), (v.equals("boom") ? "partial" : v.toUpperCase())
                        .getBytes(StandardCharsets.UTF_8)));
                if (v.equals("boom")) {
                    throw new IllegalArgumentException("invalid header value");
                }
            }
        };
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (String v : new String[] {"a", "b", "boom", "c"}) {
                producer.send(new ProducerRecord<>("loop-in", "k", v.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        LoopGroup group = LoopGroup.start(config, new LoopGroup.Spec("loop-test", "i", 1, "loop-in", "loop-stage", 10, 10,
                Duration.ofMillis(100), handler, "loop-test"));
        try {
            List<String> out = TopicReader.read(kafka.bootstrapServers(), "loop-out", r -> true, 3, Duration.ofSeconds(60),
                    Duration.ofSeconds(2)).stream().map(r -> text(r.value())).toList();
            assertEquals(List.of("A", "B", "C"), out, "the others once, the failed record's partial output not at all");
            List<ConsumerRecord<String, byte[]>> dead = TopicReader.read(kafka.bootstrapServers(), Topics.DEAD_LETTER,
                    r -> text(r.headers().lastHeader(DeadLetterHeaders.STAGE).value()).equals("loop-stage"), 1,
                    Duration.ofSeconds(30), Duration.ofSeconds(1));
            assertEquals(1, dead.size());
            assertEquals("boom", text(dead.get(0).value()));
            String reason = text(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value());
            assertTrue(reason.contains("invalid header value"), reason);
            assertEquals("ok", group.loops().get(0).state(Duration.ofMinutes(1)));

            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("loop-in", "k", "d".getBytes(StandardCharsets.UTF_8))).get();
            }
            List<String> after = TopicReader.read(kafka.bootstrapServers(), "loop-out", r -> true, 4, Duration.ofSeconds(60),
                    Duration.ofSeconds(1)).stream().map(r -> text(r.value())).toList();
            assertEquals(List.of("A", "B", "C", "D"), after, "the loop still runs");
        } finally {
            group.stop(Duration.ofSeconds(30));
        }
    }
}
