package io.vigil.kafka;

import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Records for {@link Topics#DEAD_LETTER}: the original key and bytes, with why and where in the headers. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** A record read from a topic that a stage rejected. */
    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> rejected, String stage, String reason,
            Throwable cause) {
        RecordHeaders headers = headers(stage, reason, rejected.topic(), cause);
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, utf8(Integer.toString(rejected.partition())));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, utf8(Long.toString(rejected.offset())));
        return new ProducerRecord<>(Topics.DEAD_LETTER, null, rejected.key(), rejected.value(), headers);
    }

    /** Input that never was a record (e.g. a corrupt file of a camera), identified by its source. */
    public static ProducerRecord<String, byte[]> of(String key, byte[] payload, String stage, String reason, String source,
            Throwable cause) {
        return new ProducerRecord<>(Topics.DEAD_LETTER, null, key, payload, headers(stage, reason, source, cause));
    }

    /** The dead-letter headers, for Kafka Streams records. */
    public static RecordHeaders headers(String stage, String reason, String source, Throwable cause) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.REASON, utf8(reason));
        headers.add(DeadLetterHeaders.STAGE, utf8(stage));
        headers.add(DeadLetterHeaders.SOURCE, utf8(source));
        if (cause != null) {
            headers.add(DeadLetterHeaders.EXCEPTION, utf8(cause.getClass().getName()));
        }
        return headers;
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
