package io.vigil.ingest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.ResumePoint;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.Frame;
import io.vigil.testkit.InProcessKafka;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading back where a camera stopped, from a real broker, past other cameras sharing its partition. */
class KafkaFrameHistoryTest {

    static InProcessKafka kafka;

    @BeforeAll
    static void start() {
        kafka = InProcessKafka.start();
        kafka.createTopics(Topics.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void findsTheLastFrameOfACameraBehindManyFramesOfAnother() throws Exception {
        int partitions = 4;
        String camera = "gate-3";
        // Another camera that the producer puts in the same partition.
        String neighbour = null;
        for (int i = 0; neighbour == null; i++) {
            if (io.vigil.kafka.CameraPartition.of("cam-" + i, partitions) == io.vigil.kafka.CameraPartition.of(camera, partitions)) {
                neighbour = "cam-" + i;
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i <= 57; i++) {
                producer.send(new ProducerRecord<>(Topics.FRAMES, camera, frame(camera, i, "/data/gate-3", false)));
            }
            for (int i = 0; i < 700; i++) { // more than two scan chunks of the neighbour after it
                producer.send(new ProducerRecord<>(Topics.FRAMES, neighbour, frame(neighbour, i, "synthetic:", false)));
            }
            producer.flush();
        }
        KafkaFrameHistory history = new KafkaFrameHistory(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        Optional<ResumePoint> last = history.lastFrame(camera);
        assertEquals(Optional.of(new ResumePoint(57, "/data/gate-3", false)), last);
        assertEquals(699, history.lastFrame(neighbour).orElseThrow().lastIndex());
        assertTrue(history.lastFrame("never-seen").isEmpty());
    }

    private static byte[] frame(String camera, long index, String source, boolean end) {
        return Frame.newBuilder().setCameraId(camera).setFrameIndex(index).setSource(source).setEndOfSource(end)
                .setWidth(2).setHeight(2).build().toByteArray();
    }
}
