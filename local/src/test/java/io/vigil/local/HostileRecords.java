package io.vigil.local;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.proto.v1.Review;
import io.vigil.testkit.ForgedImages;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a camera network's producers, firmware bugs and intruders can write to Vigil's topics, from a seed: for each
 * topic, records in eight kinds taken in turn — random bytes, a null value, an empty value, a message cut short, a
 * message with a camera id the rule refuses, one whose key is not its camera (or null), one with numbers that make no
 * sense (NaN, infinite, huge repeated fields, frame indices far ahead, JPEG headers that claim 30000x30000), and one
 * that passes every check under a camera of its own (Unicode and 200-character ids, frame-index jumps). Never the
 * camera under test: whatever a hostile record does must stay under its own camera.
 */
final class HostileRecords {

    /** One record, and whether it passes the parse and {@link MessageChecks} that every reader applies first. */
    record Hostile(String topic, String key, byte[] value, String kind, boolean passesChecks) {
    }

    /** The stages that read each topic and dead-letter what fails their checks (no webhook in a local run). */
    static final Map<String, List<String>> READERS = Map.of(
            Topics.FRAMES, List.of("object-detector", "sequence-assembler", "alert-sink"),
            Topics.DETECTIONS, List.of("sequence-assembler", "alert-sink"),
            Topics.SEQUENCES, List.of("anomaly-scorer"),
            Topics.OBJECT_SCORES, List.of("alert-sink"));

    static final List<String> KINDS = List.of("random-bytes", "null-value", "empty-value", "truncated", "bad-camera-id",
            "key-not-camera", "nonsense-numbers", "own-camera");

    /** Ids the rule accepts: processed under their own camera. */
    private static final List<String> ODD_CAMERAS = List.of("入口", "Café-Nord 2", "c".repeat(200), "入".repeat(200), "مدخل",
            "gap-cam", "hostile-7");
    /** Ids the rule refuses. */
    private static final List<String> BAD_CAMERAS = List.of("a|b", "cam\u202E1", "c".repeat(201), "", " lead",
            Normalizer.normalize("Café", Normalizer.Form.NFD), "tab\there", "slash/cam");
    private static final long[] ODD_INDICES = {0, 1, 5, 200_000_000L, Long.MAX_VALUE, Long.MAX_VALUE - 3, 1L << 40, 1L << 53};

    private final Random random;
    private final byte[] jpeg;
    private final String protectedCamera;

    /** @param jpeg a real frame (360x240); @param protectedCamera the camera under test, never used here */
    HostileRecords(long seed, byte[] jpeg, String protectedCamera) {
        this.random = new Random(seed);
        this.jpeg = jpeg;
        this.protectedCamera = protectedCamera;
    }

    /** {@code perTopic} records for each of Vigil's seven topics, topics interleaved. */
    List<Hostile> generate(int perTopic) {
        List<String> topics = List.of(Topics.FRAMES, Topics.DETECTIONS, Topics.SEQUENCES, Topics.OBJECT_SCORES,
                Topics.FRAME_SCORES, Topics.ANOMALY_EVENTS, Topics.DEAD_LETTER);
        List<Hostile> out = new ArrayList<>();
        for (int i = 0; i < perTopic; i++) {
            for (String topic : topics) {
                out.add(record(topic, KINDS.get(i % KINDS.size())));
            }
        }
        return out;
    }

    private Hostile record(String topic, String kind) {
        String camera = pick(ODD_CAMERAS);
        String key = camera;
        byte[] value;
        switch (kind) {
            case "random-bytes" -> {
                value = new byte[random.nextInt(2_000)];
                random.nextBytes(value);
                key = random.nextBoolean() ? "hostile-bytes" : pick(ODD_CAMERAS);
            }
            case "null-value" -> value = null;
            case "empty-value" -> value = new byte[0];
            case "truncated" -> {
                byte[] whole = message(topic, camera, false, false).toByteArray();
                value = Arrays.copyOf(whole, Math.max(1, random.nextInt(Math.max(1, whole.length - 1))));
            }
            case "bad-camera-id" -> {
                key = pick(BAD_CAMERAS);
                value = message(topic, key, false, false).toByteArray();
            }
            case "key-not-camera" -> {
                key = random.nextBoolean() ? null : "hostile-other";
                value = message(topic, camera, false, false).toByteArray();
            }
            case "nonsense-numbers" -> value = message(topic, camera, true, true).toByteArray();
            default -> value = message(topic, camera, false, true).toByteArray();
        }
        if (protectedCamera.equals(key)) {
            throw new IllegalStateException("a hostile record under the camera under test");
        }
        return new Hostile(topic, key, value, kind, passesChecks(topic, key, value));
    }

    /**
     * A message of the topic's type for {@code camera}; with {@code nonsense}, numbers no producer should send. Only
     * a {@code whole} one carries a whole image or crop (the others are refused before anyone looks at the pixels;
     * small, they keep the thousand records a topic quick to write).
     */
    private Message message(String topic, String camera, boolean nonsense, boolean whole) {
        long index = random.nextInt(4) == 0 ? ODD_INDICES[random.nextInt(ODD_INDICES.length)] : random.nextInt(10_000);
        Detection person = detection(nonsense && random.nextBoolean());
        return switch (topic) {
            case Topics.FRAMES -> {
                Frame.Builder f = Frame.newBuilder().setCameraId(camera).setFrameIndex(index).setCaptureTimeMs(index)
                        .setWidth(360).setHeight(240).setJpeg(ByteString.copyFrom(jpeg, 0, whole ? jpeg.length : 200));
                if (nonsense) {
                    switch (random.nextInt(4)) {
                        case 0 -> f.setJpeg(ByteString.copyFrom(ForgedImages.jpegClaiming(jpeg, 30_000, 30_000))); // a bomb
                        case 1 -> f.setWidth(100_000).setHeight(100_000);
                        case 2 -> f.setWidth(720).setHeight(480); // disagrees with the JPEG
                        default -> f.setFrameIndex(-1 - random.nextInt(1_000));
                    }
                }
                yield f.build();
            }
            case Topics.DETECTIONS -> {
                FrameDetections.Builder d = FrameDetections.newBuilder().setCameraId(camera).setFrameIndex(index)
                        .setCaptureTimeMs(index).setWidth(360).setHeight(240);
                int count = nonsense && random.nextBoolean() ? 5_000 : 1 + random.nextInt(3);
                for (int i = 0; i < count; i++) {
                    d.addDetections(person);
                }
                yield d.build();
            }
            case Topics.SEQUENCES -> {
                int crop = nonsense && random.nextBoolean() ? 100_000 : 64;
                int pixels = !whole ? 1_000 : nonsense ? 7 * 64 * 64 * 3 - 1 - random.nextInt(1_000) : 7 * 64 * 64 * 3;
                byte[] noise = new byte[Math.max(0, Math.min(pixels, 7 * 64 * 64 * 3))];
                random.nextBytes(noise);
                ObjectSequence.Builder s = ObjectSequence.newBuilder().setCameraId(camera).setMiddleFrameIndex(index)
                        .setObjectIndex(0).setDetection(person).setCropSize(crop).setSequenceLength(7)
                        .setPixels(ByteString.copyFrom(noise)).setFrameWidth(360).setFrameHeight(240);
                for (int i = 0; i < 7; i++) {
                    s.addFrameIndices(index - 3 + i);
                }
                yield s.build();
            }
            case Topics.OBJECT_SCORES -> ObjectScore.newBuilder().setCameraId(camera).setMiddleFrameIndex(index)
                    .setObjectIndex(nonsense && random.nextBoolean() ? 5_000 : random.nextInt(3)).setDetection(person)
                    .setScore(nonsense ? pickFloat() : random.nextFloat() * 6).setCaptureTimeMs(index).setFrameWidth(360)
                    .setFrameHeight(240).setModelVersion("hostile").build();
            case Topics.FRAME_SCORES -> FrameScore.newBuilder().setCameraId(camera).setFrameIndex(index)
                    .setRawScore(nonsense ? pickFloat() : 1).setSmoothedScore(nonsense ? pickFloat() : 1)
                    .setObjectCount(nonsense ? -5 : 1).build();
            case Topics.ANOMALY_EVENTS -> {
                AnomalyEvent.Builder e = AnomalyEvent.newBuilder().setEventId(camera + ":" + index).setCameraId(camera)
                        .setState(AnomalyEvent.State.OPEN).setStartFrameIndex(index).setEndFrameIndex(index)
                        .setPeakFrameIndex(index).setPeakScore(4).setStartTimeMs(1).setEndTimeMs(1).setPeakTimeMs(1);
                if (nonsense) {
                    switch (random.nextInt(3)) {
                        case 0 -> e.setPeakScore(pickFloat());
                        case 1 -> e.setStateValue(9);
                        default -> e.setState(AnomalyEvent.State.REVIEWED).setReview(Review.newBuilder()
                                .setAction(Review.Action.RESOLVED).setBy("operator").setTimeMs(1)
                                .setNote("resolved by operator")); // of an event never announced
                    }
                }
                yield e.build();
            }
            default -> FrameScore.newBuilder().setCameraId(camera).setFrameIndex(index).build(); // the dead-letter topic
        };
    }

    private Detection detection(boolean nonsense) {
        float x = random.nextInt(300);
        Box.Builder box = Box.newBuilder().setX1(x).setY1(20).setX2(x + 30).setY2(100);
        if (nonsense) {
            switch (random.nextInt(3)) {
                case 0 -> box.setX1(Float.NaN);
                case 1 -> box.setX2(Float.POSITIVE_INFINITY);
                default -> box.setX1(5_000).setX2(6_000);
            }
        }
        return Detection.newBuilder().setBox(box).setClassId(0).setConfidence(0.9f).build();
    }

    private float pickFloat() {
        float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        return odd[random.nextInt(odd.length)];
    }

    private String pick(List<String> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** Whether a reader of {@code topic} accepts the record after parsing it and checking it. */
    static boolean passesChecks(String topic, String key, byte[] value) {
        if (value == null) {
            return false;
        }
        try {
            switch (topic) {
                case Topics.FRAMES -> MessageChecks.frame(key, Frame.parseFrom(value));
                case Topics.DETECTIONS -> MessageChecks.detections(key, FrameDetections.parseFrom(value));
                case Topics.SEQUENCES -> MessageChecks.sequence(key, ObjectSequence.parseFrom(value));
                case Topics.OBJECT_SCORES -> MessageChecks.objectScore(key, ObjectScore.parseFrom(value));
                case Topics.FRAME_SCORES -> MessageChecks.frameScore(key, FrameScore.parseFrom(value));
                case Topics.ANOMALY_EVENTS -> MessageChecks.anomalyEvent(key, AnomalyEvent.parseFrom(value));
                default -> {
                    return false;
                }
            }
            return true;
        } catch (InvalidProtocolBufferException | MessageChecks.InvalidMessageException | NullPointerException e) {
            return false;
        }
    }
}
