package io.vigil.proto.serde;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Parses one message type. A payload that does not parse, or an empty payload (no valid Vigil message
 * serializes to zero bytes: every one carries a camera id), raises {@link MalformedMessageException} naming
 * the topic and type, never a silent default instance. A null payload is a tombstone and stays null.
 */
public class ProtobufDeserializer<T extends MessageLite> implements Deserializer<T> {

    private final Parser<T> parser;
    private final String typeName;

    public ProtobufDeserializer(Parser<T> parser, String typeName) {
        this.parser = parser;
        this.typeName = typeName;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return parse(data, "topic " + topic);
    }

    /** Parses {@code data}, naming {@code origin} (topic, partition, offset) in the error. */
    public T parse(byte[] data, String origin) {
        if (data == null) {
            return null;
        }
        if (data.length == 0) {
            throw new MalformedMessageException(
                    "Empty payload for " + typeName + " from " + origin + ": no valid message is empty", null);
        }
        try {
            return parser.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedMessageException(
                    "Cannot parse " + typeName + " from " + origin + " (" + data.length + " bytes): " + e.getMessage(), e);
        }
    }

    public String typeName() {
        return typeName;
    }
}
