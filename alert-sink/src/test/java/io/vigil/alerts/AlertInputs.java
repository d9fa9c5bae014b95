package io.vigil.alerts;

import com.google.protobuf.ByteString;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.EventDetector;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A camera showing real Ped2 frames (test video 02) with one object per frame whose score is 0.9 on frames
 * [spikeFrom, spikeTo] and 0.1 elsewhere: with {@link #SETTINGS} (no smoothing) the events are known exactly.
 */
final class AlertInputs {

    /** open 0.5, close 0.3, min 3 frames, merge gap 2, cooldown 0; no smoothing; completion horizon 5. */
    static final AlertTimeline.Settings SETTINGS = new AlertTimeline.Settings(0, 0, 5,
            new EventDetector.Settings(0.5f, 0.3f, 3, 2, 0));
    static final Box BOX = Box.newBuilder().setX1(100).setY1(60).setX2(140).setY2(140).build();

    record Input(String topic, String key, byte[] value) {
    }

    static List<byte[]> ped2Jpegs(int count) throws Exception {
        Path video = SharedData.ped2TestVideo("02");
        List<byte[]> out = new ArrayList<>();
        try (var files = Files.list(video)) {
            for (Path f : files.sorted().limit(count).toList()) {
                out.add(Files.readAllBytes(f));
            }
        }
        return out;
    }

    static float score(int frame, int spikeFrom, int spikeTo) {
        return frame >= spikeFrom && frame <= spikeTo ? 0.9f : 0.1f;
    }

    /** Per frame, in pipeline order: the frame, its detections, its object's score. */
    static List<Input> camera(String camera, List<byte[]> jpegs, int from, int to, int spikeFrom, int spikeTo) {
        List<Input> out = new ArrayList<>();
        Detection.Builder bicycle = Detection.newBuilder().setBox(BOX).setClassId(1).setConfidence(0.8f);
        for (int c = 0; c < 80; c++) {
            bicycle.addClassProbabilities(c == 1 ? 0.8f : 0.01f);
        }
        Detection det = bicycle.build();
        for (int f = from; f < to; f++) {
            long time = 1_700_000_000_000L + f * 100L;
            out.add(new Input(Topics.FRAMES, camera, Frame.newBuilder().setCameraId(camera).setFrameIndex(f)
                    .setCaptureTimeMs(time).setWidth(360).setHeight(240).setJpeg(ByteString.copyFrom(jpegs.get(f))).build()
                    .toByteArray()));
            out.add(new Input(Topics.DETECTIONS, camera, FrameDetections.newBuilder().setCameraId(camera).setFrameIndex(f)
                    .setCaptureTimeMs(time).setWidth(360).setHeight(240).addDetections(det).build().toByteArray()));
            out.add(new Input(Topics.OBJECT_SCORES, camera, ObjectScore.newBuilder().setCameraId(camera)
                    .setMiddleFrameIndex(f).setObjectIndex(0).setDetection(det).setScore(score(f, spikeFrom, spikeTo))
                    .putCueSurprises("speed", 3f).putCueSurprises("distillation", 1f).setCaptureTimeMs(time).setFrameWidth(360).setFrameHeight(240).setModelVersion("test").build()
                    .toByteArray()));
        }
        return out;
    }

    /**
     * Sends in pipeline order, each record on the broker before the next is sent, as in the real chain (where the
     * detector reads a frame before it writes its detections). One producer sending asynchronously would let the large
     * frame records trail the small score records, and the peak frame could arrive after its event had closed.
     */
    static void send(String bootstrapServers, List<Input> inputs) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (Input i : inputs) {
                producer.send(new ProducerRecord<>(i.topic(), i.key(), i.value())).get();
            }
        }
    }

    private AlertInputs() {
    }
}
