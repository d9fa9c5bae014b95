package io.vigil.proto.serde;

import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.ObjectScore;
import io.vigil.proto.v1.ObjectSequence;

/**
 * One Serde per topic message. The nested classes have no-arg constructors, for Kafka configs that name a
 * class ({@code value.serializer}, {@code value.deserializer}, {@code default.value.serde}).
 */
public final class VigilSerdes {

    public static final class FrameSerde extends ProtobufSerde<Frame> {
        public FrameSerde() {
            super(Frame.parser(), Frame.getDefaultInstance());
        }
    }

    public static final class FrameDetectionsSerde extends ProtobufSerde<FrameDetections> {
        public FrameDetectionsSerde() {
            super(FrameDetections.parser(), FrameDetections.getDefaultInstance());
        }
    }

    public static final class ObjectSequenceSerde extends ProtobufSerde<ObjectSequence> {
        public ObjectSequenceSerde() {
            super(ObjectSequence.parser(), ObjectSequence.getDefaultInstance());
        }
    }

    public static final class ObjectScoreSerde extends ProtobufSerde<ObjectScore> {
        public ObjectScoreSerde() {
            super(ObjectScore.parser(), ObjectScore.getDefaultInstance());
        }
    }

    public static final class FrameScoreSerde extends ProtobufSerde<FrameScore> {
        public FrameScoreSerde() {
            super(FrameScore.parser(), FrameScore.getDefaultInstance());
        }
    }

    public static final class AnomalyEventSerde extends ProtobufSerde<AnomalyEvent> {
        public AnomalyEventSerde() {
            super(AnomalyEvent.parser(), AnomalyEvent.getDefaultInstance());
        }
    }

    /** State of the sequence assembler. */
    public static final class PendingDetectionsSerde extends ProtobufSerde<io.vigil.proto.v1.PendingDetections> {
        public PendingDetectionsSerde() {
            super(io.vigil.proto.v1.PendingDetections.parser(), io.vigil.proto.v1.PendingDetections.getDefaultInstance());
        }
    }

    public static final class CameraProgressSerde extends ProtobufSerde<io.vigil.proto.v1.CameraProgress> {
        public CameraProgressSerde() {
            super(io.vigil.proto.v1.CameraProgress.parser(), io.vigil.proto.v1.CameraProgress.getDefaultInstance());
        }
    }

    /** Serializes any of the messages above. */
    public static final class Serializer<T extends com.google.protobuf.Message> extends ProtobufSerializer<T> {
    }

    public static final class FrameDeserializer extends ProtobufSerde.Typed<Frame> {
        public FrameDeserializer() {
            super(FRAME);
        }
    }

    public static final class FrameDetectionsDeserializer extends ProtobufSerde.Typed<FrameDetections> {
        public FrameDetectionsDeserializer() {
            super(FRAME_DETECTIONS);
        }
    }

    public static final class ObjectSequenceDeserializer extends ProtobufSerde.Typed<ObjectSequence> {
        public ObjectSequenceDeserializer() {
            super(OBJECT_SEQUENCE);
        }
    }

    public static final class ObjectScoreDeserializer extends ProtobufSerde.Typed<ObjectScore> {
        public ObjectScoreDeserializer() {
            super(OBJECT_SCORE);
        }
    }

    public static final class FrameScoreDeserializer extends ProtobufSerde.Typed<FrameScore> {
        public FrameScoreDeserializer() {
            super(FRAME_SCORE);
        }
    }

    public static final class AnomalyEventDeserializer extends ProtobufSerde.Typed<AnomalyEvent> {
        public AnomalyEventDeserializer() {
            super(ANOMALY_EVENT);
        }
    }

    public static final FrameSerde FRAME = new FrameSerde();
    public static final FrameDetectionsSerde FRAME_DETECTIONS = new FrameDetectionsSerde();
    public static final ObjectSequenceSerde OBJECT_SEQUENCE = new ObjectSequenceSerde();
    public static final ObjectScoreSerde OBJECT_SCORE = new ObjectScoreSerde();
    public static final FrameScoreSerde FRAME_SCORE = new FrameScoreSerde();
    public static final AnomalyEventSerde ANOMALY_EVENT = new AnomalyEventSerde();
    public static final PendingDetectionsSerde PENDING_DETECTIONS = new PendingDetectionsSerde();
    public static final CameraProgressSerde CAMERA_PROGRESS = new CameraProgressSerde();

    private VigilSerdes() {
    }
}
