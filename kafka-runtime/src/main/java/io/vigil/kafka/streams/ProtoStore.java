package io.vigil.kafka.streams;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A state store of protobuf messages by string key, over Kafka Streams' byte store (which the changelog keeps as
 * is). A value that does not parse is corrupt state, not bad input: it fails the task, naming the store and key.
 */
public final class ProtoStore<V extends MessageLite> {

    private final String name;
    private final KeyValueStore<String, byte[]> store;
    private final Parser<V> parser;

    private ProtoStore(String name, KeyValueStore<String, byte[]> store, Parser<V> parser) {
        this.name = name;
        this.store = store;
        this.parser = parser;
    }

    /** The processor's store {@code name}, read as {@code parser}'s messages. */
    public static <V extends MessageLite> ProtoStore<V> of(ProcessorContext<?, ?> context, String name, Parser<V> parser) {
        return new ProtoStore<>(name, context.getStateStore(name), parser);
    }

    /** The message under {@code key}, or null. */
    public V get(String key) {
        return parse(key, store.get(key));
    }

    public void put(String key, V value) {
        store.put(key, value.toByteArray());
    }

    /** Stores a message's bytes as they came (no parse and serialise again); they must be one of these messages. */
    public void putSerialized(String key, byte[] value) {
        store.put(key, value);
    }

    public boolean contains(String key) {
        return store.get(key) != null;
    }

    public void delete(String key) {
        store.delete(key);
    }

    /** The entries from {@code from} to {@code to} (inclusive) in key order, read at once (the iterator is closed). */
    public List<KeyValue<String, V>> range(String from, String to) {
        try (KeyValueIterator<String, byte[]> it = store.range(from, to)) {
            return read(it);
        }
    }

    /** The keys from {@code from} to {@code to} (inclusive), without parsing the values. */
    public List<String> keys(String from, String to) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.range(from, to)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    /** The first key from {@code from} to {@code to}, or null. */
    public String firstKey(String from, String to) {
        try (KeyValueIterator<String, byte[]> it = store.range(from, to)) {
            return it.hasNext() ? it.next().key : null;
        }
    }

    public List<KeyValue<String, V>> all() {
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            return read(it);
        }
    }

    private List<KeyValue<String, V>> read(KeyValueIterator<String, byte[]> it) {
        List<KeyValue<String, V>> out = new ArrayList<>();
        it.forEachRemaining(kv -> out.add(KeyValue.pair(kv.key, parse(kv.key, kv.value))));
        return out;
    }

    private V parse(String key, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt state in store " + name + " under key " + key, e);
        }
    }
}
