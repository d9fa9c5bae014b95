package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.kafka.TopicSnapshot;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.proto.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real broker's log: a record of a transaction becomes readable at its commit marker, not when it was sent. */
class CommitTimesTest {

    @TempDir
    Path dir;

    @Test
    void aTransactionsRecordsAreVisibleFromItsCommitAndOthersFromTheirOwnTimestamp() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(dir.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            try (KafkaProducer<String, byte[]> tx = producer(broker, "commit-times-test");
                    KafkaProducer<String, byte[]> plain = producer(broker, null)) {
                tx.initTransactions();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(Topics.FRAME_SCORES, "cam", new byte[] {1}));
                tx.send(new ProducerRecord<>(Topics.FRAME_SCORES, "cam", new byte[] {2}));
                tx.flush();
                Thread.sleep(600); // the commit interval a service would wait
                tx.commitTransaction();
                plain.send(new ProducerRecord<>(Topics.FRAME_SCORES, "cam", new byte[] {3})).get();
            }
            List<ConsumerRecord<String, byte[]>> read = TopicSnapshot.readAll(broker.bootstrapServers(), Topics.FRAME_SCORES,
                    Duration.ofSeconds(30));
            assertEquals(3, read.size());
            CommitTimes commits = CommitTimes.read(dir.resolve("kafka/kafka-logs"), List.of(Topics.FRAME_SCORES));
            for (ConsumerRecord<String, byte[]> sent : read.subList(0, 2)) {
                long waited = commits.visibleAt(sent) - sent.timestamp();
                assertTrue(waited >= 600 && waited < 10_000, "visible " + waited + " ms after it was sent");
            }
            assertEquals(commits.visibleAt(read.get(0)), commits.visibleAt(read.get(1)), "one commit");
            assertEquals(read.get(2).timestamp(), commits.visibleAt(read.get(2)), "not in a transaction");
        }
    }

    private static KafkaProducer<String, byte[]> producer(LocalKafkaBroker broker, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
