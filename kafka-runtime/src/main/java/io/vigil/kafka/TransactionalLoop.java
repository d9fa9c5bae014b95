package io.vigil.kafka;

import com.google.protobuf.Message;
import io.opentelemetry.api.trace.Span;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.ProtobufSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
 * The consume-process-produce loop of the services that are not Kafka Streams apps: the polls of up to
 * {@code commitInterval} are one Kafka transaction (outputs, dead letters and consumer offsets commit together), so
 * read_committed consumers see each input's outputs exactly once, also after a crash or restart. With an interval of
 * 0 each poll commits on its own; a longer one commits less often where polls come one record at a time (one camera
 * at 10 frames/s: ten transactions a second otherwise), at the cost of up to that much latency, and before a
 * rebalance takes its partitions away. The handler gets the polled records in chunks of at most {@code maxBatch}
 * (micro-batches that mix keys/cameras). On a failed transaction its polls are rewound and processed again; a fenced
 * producer (another instance took over) ends the loop. A record that makes the handler throw (an input no check
 * foresaw, a bug) does not end it either: the transaction's records are processed again one at a time, and each
 * record that still throws goes to the dead-letter topic with the error, its partial outputs discarded; the others
 * go through as usual. Each record's processing is a span of its trace ({@link RecordTracing}).
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
    private final Duration commitInterval;
    private final Handler handler;
    private final RecordTracing tracing;
    private final Uncommitted open = new Uncommitted();
    private volatile boolean running = true;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String failure;

    public TransactionalLoop(KafkaConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> producer, String topic,
            String stage, int maxBatch, Duration maxWait, Duration commitInterval, Handler handler, RecordTracing tracing) {
        this.consumer = consumer;
        this.producer = producer;
        this.topic = topic;
        this.stage = stage;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.commitInterval = commitInterval;
        this.handler = handler;
        this.tracing = tracing;
    }

    /** The transaction open across polls: its records in order, and per partition the offsets it starts and ends at. */
    private static final class Uncommitted {
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        final Map<TopicPartition, Long> first = new HashMap<>();
        final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        long openedNanos;

        /** Records are added right after the transaction begins, and cleared when it ends. */
        boolean isOpen() {
            return !records.isEmpty();
        }

        /** How long until the open transaction is due to commit (negative when overdue). */
        long nanosUntilCommit(Duration commitInterval) {
            return commitInterval.toNanos() - (System.nanoTime() - openedNanos);
        }

        void add(ConsumerRecords<String, byte[]> polled) {
            for (TopicPartition tp : polled.partitions()) {
                List<ConsumerRecord<String, byte[]>> rs = polled.records(tp);
                first.putIfAbsent(tp, rs.get(0).offset());
                next.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
            }
            polled.forEach(records::add);
        }

        void clear() {
            records.clear();
            first.clear();
            next.clear();
        }
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(topic), new CommitBeforeRebalance());
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(untilCommitDue());
                lastPollNanos = System.nanoTime();
                if (!records.isEmpty()) {
                    process(records);
                }
                if (open.isOpen() && open.nanosUntilCommit(commitInterval) <= 0) {
                    commitOpen();
                }
            }
            commitOnStop();
        } catch (WakeupException e) {
            if (running) {
                failure = "woken up unexpectedly";
            } else {
                commitOnStop();
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            failure = "fatal Kafka error: " + e;
            LOG.errorf("%s loop stops: %s", stage, e.toString());
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.errorf(e, "%s loop stops", stage);
        } finally {
            running = false;
            // Still open only after a failure: nothing of it is committed, and closing the consumer must not try.
            open.clear();
            consumer.close();
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** Stopped: what was processed is committed; what cannot be is processed again after a restart. */
    private void commitOnStop() {
        try {
            commitOpen();
        } catch (RuntimeException e) {
            LOG.warnf("%s: the last transaction was not committed on stop (%s); it is processed again after a restart",
                    stage, e.toString());
        }
    }

    /** The poll's wait: at most {@code maxWait}, and no later than the open transaction's commit. */
    private Duration untilCommitDue() {
        if (!open.isOpen()) {
            return maxWait;
        }
        return Duration.ofNanos(Math.max(0, Math.min(open.nanosUntilCommit(commitInterval), maxWait.toNanos())));
    }

    /** A poll into the open transaction (one is begun if none is). */
    private void process(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        records.forEach(all::add);
        if (!open.isOpen()) {
            producer.beginTransaction();
            open.openedNanos = System.nanoTime();
        }
        open.add(records);
        try {
            Output out = new SendingOutput(producer::send);
            for (int from = 0; from < all.size(); from += maxBatch) {
                handleTraced(all.subList(from, Math.min(all.size(), from + maxBatch)), out);
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            rewind(e);
        } catch (RuntimeException e) {
            if (!running || Thread.currentThread().isInterrupted()) {
                throw e; // stopping, not a bad record
            }
            LOG.warnf("%s handler failed in a transaction of %d records (%s): processing them one at a time", stage,
                    open.records.size(), e);
            producer.abortTransaction();
            processOneByOne();
        }
    }

    /** The open transaction's records again, each on its own: one that throws is dead-lettered, its outputs dropped. */
    private void processOneByOne() {
        producer.beginTransaction();
        try {
            Output direct = new SendingOutput(producer::send);
            for (ConsumerRecord<String, byte[]> r : open.records) {
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
            commitOpen();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            rewind(e);
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

    /** Commits the open transaction, if there is one; one that fails is rewound ({@link #rewind}). */
    private void commitOpen() {
        if (!open.isOpen()) {
            return;
        }
        try {
            producer.sendOffsetsToTransaction(open.next, consumer.groupMetadata());
            producer.commitTransaction();
            open.clear();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            rewind(e);
        }
    }

    /** Nothing of the open transaction was committed: go back and process its polls again. */
    private void rewind(KafkaException e) {
        LOG.warnf("transaction aborted, its %d records will be processed again: %s", open.records.size(), e.getMessage());
        producer.abortTransaction();
        open.first.forEach(consumer::seek);
        open.clear();
    }

    /**
     * A transaction open across polls ends before its partitions move to another consumer: committed when they are
     * handed over, dropped when they were lost (another consumer has them already, and their offsets were not
     * committed).
     */
    private final class CommitBeforeRebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commitOpen();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (open.isOpen()) {
                LOG.warnf("%s: partitions %s lost with %d records uncommitted; their new owner processes them", stage,
                        partitions, open.records.size());
                producer.abortTransaction();
                open.clear();
            }
        }
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
