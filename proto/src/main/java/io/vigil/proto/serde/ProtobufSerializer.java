package io.vigil.proto.serde;

import com.google.protobuf.MessageLite;
import org.apache.kafka.common.serialization.Serializer;

/** Serializes any Protobuf message to its wire bytes; null stays null (tombstone). */
public class ProtobufSerializer<T extends MessageLite> implements Serializer<T> {

    @Override
    public byte[] serialize(String topic, T message) {
        return message == null ? null : message.toByteArray();
    }
}
