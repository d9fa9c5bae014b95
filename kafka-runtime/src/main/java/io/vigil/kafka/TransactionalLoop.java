package io.vigil.kafka;

import com.google.protobuf.Message;
import io.opentelemetry.api.trace.Span;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.ProtobufSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The consume-process-produce loop of the services that are not Kafka Streams apps: each poll is one Kafka
 * transaction (outputs, dead letters and consumer offsets commit together), so read_committed consumers see each
 * input's outputs exactly once, also after a crash or restart. The handler gets the polled records in chunks of at
 * most {@code maxBatch} (micro-batches that mix keys/cameras). On a failed transaction the poll is rewound and
 * processed again; a fenced producer (another instance took over) ends the loop. A record that makes the handler
 * throw (an input no check foresaw, a bug) does not end it either: the poll is processed again one record at a
 * time, and each record that still throws goes to the dead-letter topic with the error, its partial outputs
 * discarded; the others go through as usual. Each record's processing is a span of its trace ({@link RecordTracing}).
 */
public final class TransactionalLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(TransactionalLoop.class);

    /** Where a handler writes: outputs and dead letters, inside the current transaction. */
    public interface Output {
        /** An output of the input {@code from}: it carries on from's trace. */
        void send(ConsumerRecord<String, byte[]> from, ProducerRecord<String, byte[]> record);

        void deadLetter(ConsumerRecord<String, byte[]> rejected, String reason, Throwable cause);

        /**
         * The record's message if it parses and passes {@code check} (one of {@link MessageChecks}); otherwise the
         * record goes to the dead-letter topic with the reason and the result is empty.
         */
        default <T extends Message> Optional<T> parseChecked(ConsumerRecord<String, byte[]> r, ProtobufSerde<T> serde,
                BiConsumer<String, T> check) {
            String where = r.topic() + "/" + r.partition() + "@" + r.offset();
            try {
                T message = serde.parse(r);
                if (message == null) {
                    deadLetter(r, "empty record at " + where, null);
                    return Optional.empty();
                }
                check.accept(r.key(), message);
                return Optional.of(message);
            } catch (MalformedMessageException e) {
                deadLetter(r, e.getMessage(), e);
            } catch (MessageChecks.InvalidMessageException e) {
                deadLetter(r, e.getMessage() + " at " + where, e);
            }
            return Optional.empty();
        }
    }

    @FunctionalInterface
    public interface Handler {
        void handle(List<ConsumerRecord<String, byte[]>> chunk, Output out);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String stage;
    private final int maxBatch;
    private final Duration maxWait;
    private final Handler handler;
    private final RecordTracing tracing;
    private volatile boolean running = true;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String failure;

    public TransactionalLoop(KafkaConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> producer, String topic,
            String stage, int maxBatch, Duration maxWait, Handler handler, RecordTracing tracing) {
        this.consumer = consumer;
        this.producer = producer;
        this.topic = topic;
        this.stage = stage;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.handler = handler;
        this.tracing = tracing;
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(maxWait);
                lastPollNanos = System.nanoTime();
                if (!records.isEmpty()) {
                    processInTransaction(records);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = "woken up unexpectedly";
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            failure = "fatal Kafka error: " + e;
            LOG.errorf("%s loop stops: %s", stage, e.toString());
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.errorf(e, "%s loop stops", stage);
        } finally {
            running = false;
            consumer.close();
            producer.close(Duration.ofSeconds(10));
        }
    }

    private void processInTransaction(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        records.forEach(all::add);
        producer.beginTransaction();
        try {
            Output out = new SendingOutput(producer::send);
            for (int from = 0; from < all.size(); from += maxBatch) {
                handleTraced(all.subList(from, Math.min(all.size(), from + maxBatch)), out);
            }
            commit(records);
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            rewind(records, e);
        } catch (RuntimeException e) {
            if (!running || Thread.currentThread().isInterrupted()) {
                throw e; // stopping, not a bad record
            }
            LOG.warnf("%s handler failed on a poll of %d records (%s): processing them one at a time", stage, all.size(), e);
            producer.abortTransaction();
            processOneByOne(records, all);
        }
    }

    /** The poll again, each record on its own: one that throws is dead-lettered and its outputs are dropped. */
    private void processOneByOne(ConsumerRecords<String, byte[]> records, List<ConsumerRecord<String, byte[]>> all) {
        producer.beginTransaction();
        try {
            Output direct = new SendingOutput(producer::send);
            for (ConsumerRecord<String, byte[]> r : all) {
                List<ProducerRecord<String, byte[]>> held = new ArrayList<>();
                try {
                    handleTraced(List.of(r), new SendingOutput(held::add));
                } catch (KafkaException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (!running || Thread.currentThread().isInterrupted()) {
                        throw e;
                    }
                    direct.deadLetter(r, stage + " failed on this record: " + e, e); // what it held is dropped
                    continue;
                }
                held.forEach(producer::send);
            }
            commit(records);
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            rewind(records, e);
        }
    }

    /**
     * The handler on a chunk, with a span for each record: each span lasts as long as the whole chunk (a batch is
     * processed together), and each output carries the span of the input it came from.
     */
    private void handleTraced(List<ConsumerRecord<String, byte[]>> chunk, Output out) {
        Map<ConsumerRecord<String, byte[]>, Span> spans = new IdentityHashMap<>();
        for (ConsumerRecord<String, byte[]> r : chunk) {
            spans.put(r, tracing.process(r.topic(), r.key(), r.partition(), r.offset(), r.headers()));
        }
        RuntimeException error = null;
        try {
            handler.handle(chunk, new Output() {
                @Override
                public void send(ConsumerRecord<String, byte[]> from, ProducerRecord<String, byte[]> record) {
                    Span span = spans.get(from);
                    if (span != null) {
                        RecordTracing.inject(span, record.headers());
                    }
                    out.send(from, record);
                }

                @Override
                public void deadLetter(ConsumerRecord<String, byte[]> rejected, String reason, Throwable cause) {
                    out.deadLetter(rejected, reason, cause);
                }
            });
        } catch (RuntimeException e) {
            error = e;
            throw e;
        } finally {
            RecordTracing.endAll(List.copyOf(spans.values()), error);
        }
    }

    /** The handler's outputs and dead letters, into the current transaction or held until the record succeeded. */
    private final class SendingOutput implements Output {
        private final Consumer<ProducerRecord<String, byte[]>> sink;

        SendingOutput(Consumer<ProducerRecord<String, byte[]>> sink) {
            this.sink = sink;
        }

        @Override
        public void send(ConsumerRecord<String, byte[]> from, ProducerRecord<String, byte[]> record) {
            sink.accept(record);
        }

        @Override
        public void deadLetter(ConsumerRecord<String, byte[]> rejected, String reason, Throwable cause) {
            LOG.errorf("rejected %s/%d@%d: %s", rejected.topic(), rejected.partition(), rejected.offset(), reason);
            sink.accept(DeadLetters.of(rejected, stage, reason, cause));
        }
    }

    private void commit(ConsumerRecords<String, byte[]> records) {
        producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
        producer.commitTransaction();
    }

    /** Nothing of this poll was committed: go back and process it again. */
    private void rewind(ConsumerRecords<String, byte[]> records, KafkaException e) {
        LOG.warnf("transaction aborted, the poll will be processed again: %s", e.getMessage());
        producer.abortTransaction();
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }

    public boolean isRunning() {
        return running;
    }

    /** Why the loop stopped on its own, or null. */
    public String failure() {
        return failure;
    }

    public long nanosSinceLastPoll() {
        return System.nanoTime() - lastPollNanos;
    }

    /** For liveness checks: "ok", "failed: …" when the loop stopped on an error, or "stuck" when it has not polled for {@code stuckAfter}. */
    public String state(Duration stuckAfter) {
        if (failure != null) {
            return "failed: " + failure;
        }
        return nanosSinceLastPoll() > stuckAfter.toNanos() ? "stuck" : "ok";
    }
}
