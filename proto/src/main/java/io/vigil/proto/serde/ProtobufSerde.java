package io.vigil.proto.serde;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde of one vigil.v1 message type; see {@link VigilSerdes} for the instances. */
public class ProtobufSerde<T extends Message> implements Serde<T> {

    private final ProtobufSerializer<T> serializer = new ProtobufSerializer<>();
    private final ProtobufDeserializer<T> deserializer;

    protected ProtobufSerde(Parser<T> parser, T defaultInstance) {
        this.deserializer = new ProtobufDeserializer<>(parser, defaultInstance.getDescriptorForType().getFullName());
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public ProtobufDeserializer<T> deserializer() {
        return deserializer;
    }

    /**
     * Parses the value of a raw record, naming topic, partition and offset in the error. Services consume
     * bytes and parse with this so that a malformed record can go to the dead-letter topic instead of
     * stalling the consumer.
     */
    public T parse(ConsumerRecord<?, byte[]> record) {
        return deserializer.parse(record.value(),
                "topic " + record.topic() + " partition " + record.partition() + " offset " + record.offset());
    }

    /** For Kafka configs that take a class name: a no-arg deserializer class per message type. */
    abstract static class Typed<T extends Message> implements Deserializer<T> {
        private final ProtobufDeserializer<T> delegate;

        Typed(ProtobufSerde<T> serde) {
            this.delegate = serde.deserializer();
        }

        @Override
        public T deserialize(String topic, byte[] data) {
            return delegate.deserialize(topic, data);
        }
    }
}
