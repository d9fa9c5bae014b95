package io.vigil.assembler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.testkit.InProcessKafka;
import io.vigil.testkit.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart in the middle of a video with exactly-once processing: the second instance starts with no local
 * state, restores frames and waiting detections from the changelogs, and the output has every sequence once.
 */
class AssemblerRestartTest {

    @TempDir
    Path stateA;

    @TempDir
    Path stateB;

    @Test
    void restartFromTheChangelogLosesAndDuplicatesNothing() throws Exception {
        Ped2Detections ped2 = new Ped2Detections("ped2-05", "05", 60);
        int expected = ped2.objectCount(0, 60);
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(Topics.DEFAULTS);
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                // First half: frames 0..29 and all their detections; detections 27..29 must wait for frames 30..32.
                send(producer, ped2, 0, 30);
            }
            int firstHalf = ped2.objectCount(0, 27);
            KafkaStreams first = start(kafka, stateA);
            List<ObjectSequence> before = read(kafka, firstHalf);
            assertEquals(firstHalf, before.size(), "sequences of frames 0..26 before the restart");
            first.close(Duration.ofSeconds(30));

            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                send(producer, ped2, 30, 60);
            }
            KafkaStreams second = start(kafka, stateB); // empty state directory: restores from the changelogs
            try {
                List<ObjectSequence> all = read(kafka, expected);
                assertEquals(expected, all.size(), "every detection once");
                Set<String> ids = new HashSet<>();
                for (ObjectSequence s : all) {
                    assertTrue(ids.add(s.getMiddleFrameIndex() + "/" + s.getObjectIndex()), "duplicate " + s.getMiddleFrameIndex());
                }
                // Detections 27..29 waited in the pending store across the restart and got their full window.
                ObjectSequence waited = all.stream().filter(s -> s.getMiddleFrameIndex() == 28).findFirst().orElseThrow();
                assertEquals(List.of(25L, 26L, 27L, 28L, 29L, 30L, 31L), waited.getFrameIndicesList());
            } finally {
                second.close(Duration.ofSeconds(30));
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer(InProcessKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, Ped2Detections ped2, int from, int to) {
        for (int i = from; i < to; i++) {
            Frame f = ped2.frames.get(i);
            producer.send(new ProducerRecord<>(Topics.FRAMES, f.getCameraId(), f.toByteArray()));
            FrameDetections d = ped2.detections.get(i);
            producer.send(new ProducerRecord<>(Topics.DETECTIONS, d.getCameraId(), d.toByteArray()));
        }
        producer.flush();
    }

    private static KafkaStreams start(InProcessKafka kafka, Path stateDir) {
        Properties props = kafka.streamsProperties("assembler-restart-test", stateDir);
        SequenceBuilder builder = new SequenceBuilder(SequenceSettings.paper());
        KafkaStreams streams = new KafkaStreams(AssemblerTopology.build(builder, Duration.ofMinutes(5), Duration.ofSeconds(1),
                600, AssemblerMetrics.NONE), props);
        streams.start();
        return streams;
    }

    private static List<ObjectSequence> read(InProcessKafka kafka, int expected) {
        return TopicReader.read(kafka.bootstrapServers(), Topics.SEQUENCES, r -> true, expected, Duration.ofSeconds(120),
                Duration.ofSeconds(2)).stream().map(VigilSerdes.OBJECT_SEQUENCE::parse).toList();
    }
}
