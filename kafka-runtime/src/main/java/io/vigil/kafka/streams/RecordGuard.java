package io.vigil.kafka.streams;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vigil.kafka.DeadLetters;
import io.vigil.kafka.RecordTracing;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.serde.MalformedMessageException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * The dead-letter step of a Kafka Streams processor: a record that does not parse, parses but breaks the
 * contract ({@link MessageChecks}), or makes the processor throw, goes to the dead-letter sink with the reason and
 * where it came from, and the stream goes on. Like {@code TransactionalLoop} for the consumer loops, so a processor holds only its domain logic.
 * Each record's processing is a span of the trace its headers carry ({@link RecordTracing}); what the processor
 * forwards meanwhile carries that span on ({@link #traced()}).
 */
public final class RecordGuard {

    private static final Logger LOG = Logger.getLogger(RecordGuard.class);

    /** What a processor does with one record; throws for a record it cannot take. */
    public interface Handler {
        void handle(Record<String, byte[]> record) throws MalformedMessageException, MessageChecks.InvalidMessageException;
    }

    /**
     * The kinds of dead letter every guarded stage can send; a stage registers its counters for them at 0, so that a
     * dashboard shows 0 rather than no data before the first one.
     */
    public static final List<String> KINDS = List.of("malformed", "invalid", "failed");

    private final String stage;
    private final String deadLetterSink;
    private final Consumer<String> rejected;
    private final RecordTracing tracing;
    private ProcessorContext<String, byte[]> context;
    /** The span of the record being processed; invalid in a punctuation. */
    private Span current = Span.getInvalid();

    /**
     * @param stage          the service, in the dead letter's headers
     * @param deadLetterSink the topology's sink node for {@code vigil.dead-letter}
     * @param rejected       counts a dead letter by kind (malformed, invalid, or the processor's own)
     * @param tracing        spans for the records processed
     */
    public RecordGuard(String stage, String deadLetterSink, Consumer<String> rejected, RecordTracing tracing) {
        this.stage = stage;
        this.deadLetterSink = deadLetterSink;
        this.rejected = rejected;
        this.tracing = tracing;
    }

    public void init(ProcessorContext<String, byte[]> processorContext) {
        this.context = processorContext;
    }

    /** Runs {@code handler}; a malformed or invalid record becomes a dead letter instead. */
    public void process(Record<String, byte[]> record, Handler handler) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        current = where == null ? Span.getInvalid()
                : tracing.process(where.topic(), record.key(), where.partition(), where.offset(), record.headers());
        try {
            handle(record, handler);
        } finally {
            current.end();
            current = Span.getInvalid();
        }
    }

    private void handle(Record<String, byte[]> record, Handler handler) {
        try {
            handler.handle(record);
        } catch (MalformedMessageException | NullPointerException e) {
            deadLetter(record.key(), record.value(), record.timestamp(), "malformed", e.getMessage() == null
                    ? "empty record on " + origin() : e.getMessage(), e);
        } catch (MessageChecks.InvalidMessageException e) {
            deadLetter(record.key(), record.value(), record.timestamp(), "invalid", e.getMessage() + " at " + origin(), e);
        } catch (RuntimeException e) {
            // An input no check foresaw, or a bug: this record is lost, not the stream thread that serves every camera.
            LOG.errorf(e, "%s failed on the record at %s; it goes to the dead-letter topic", stage, origin());
            deadLetter(record.key(), record.value(), record.timestamp(), "failed", stage + " failed on this record: " + e
                    + " at " + origin(), e);
        }
    }

    /** Headers for a record forwarded while processing one: the trace of the record being processed (none in a punctuation). */
    public Headers traced() {
        return current.getSpanContext().isValid() ? RecordTracing.headers(current) : new RecordHeaders();
    }

    /** The topic of the record being processed ("" in a punctuation). */
    public String topic() {
        return context.recordMetadata().map(RecordMetadata::topic).orElse("");
    }

    /** Where the record being processed came from, for messages: topic, partition, offset. */
    public String origin() {
        return context.recordMetadata().map(m -> "topic " + m.topic() + " partition " + m.partition() + " offset "
                + m.offset()).orElse("unknown record");
    }

    /** Sends {@code value} to the dead-letter topic with the reason; {@code kind} names it in the metrics. */
    public void deadLetter(String key, byte[] value, long timestamp, String kind, String reason, Throwable cause) {
        rejected.accept(kind);
        current.setStatus(StatusCode.ERROR, kind);
        String source = context.recordMetadata().map(RecordMetadata::topic).orElse(stage);
        context.forward(new Record<>(key, value, timestamp, DeadLetters.headers(stage, reason, source, cause)),
                deadLetterSink);
    }
}
