package io.vigil.detector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.detect.FrameDetector;
import io.vigil.common.kafka.DeadLetters;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.MalformedMessageException;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * One consume-detect-produce loop. Each poll is one Kafka transaction: the detections (and dead letters) of the
 * polled frames and the consumer offsets commit together, so after a crash or restart every frame yields exactly
 * one FrameDetections message for read_committed consumers. Frames are detected in batches of at most
 * {@code maxBatch}, mixing cameras.
 */
final class DetectorLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(DetectorLoop.class);
    static final String STAGE = "object-detector";

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final FrameDetector detector;
    private final int maxBatch;
    private final Duration maxWait;
    private final Counter framesDetected;
    private final Counter framesRejected;
    private final Counter objects;
    private final Timer inference;
    private final DistributionSummary batchSize;
    private volatile boolean running = true;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String failure;

    DetectorLoop(KafkaConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> producer, FrameDetector detector,
            int maxBatch, Duration maxWait, MeterRegistry registry) {
        this.consumer = consumer;
        this.producer = producer;
        this.detector = detector;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.framesDetected = registry.counter("vigil.detector.frames", "outcome", "detected");
        this.framesRejected = registry.counter("vigil.detector.frames", "outcome", "rejected");
        this.objects = registry.counter("vigil.detector.objects");
        this.inference = Timer.builder("vigil.detector.inference").description("Detector time per batch")
                .publishPercentiles(0.5, 0.95).register(registry);
        this.batchSize = DistributionSummary.builder("vigil.detector.batch.size").register(registry);
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(Topics.FRAMES));
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
            LOG.errorf("detector loop stops: %s", e.toString());
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.errorf(e, "detector loop stops");
        } finally {
            running = false;
            consumer.close();
            producer.close(Duration.ofSeconds(10));
        }
    }

    private void processInTransaction(ConsumerRecords<String, byte[]> records) {
        producer.beginTransaction();
        try {
            List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
            records.forEach(all::add);
            for (int from = 0; from < all.size(); from += maxBatch) {
                process(all.subList(from, Math.min(all.size(), from + maxBatch)));
            }
            producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            // Nothing of this poll was committed: go back and process it again.
            LOG.warnf("transaction aborted, frames will be processed again: %s", e.getMessage());
            producer.abortTransaction();
            rewind(records);
        }
    }

    private void process(List<ConsumerRecord<String, byte[]>> records) {
        List<Frame> frames = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> frameRecords = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                Frame f = VigilSerdes.FRAME.parse(r);
                if (f == null || f.getCameraId().isEmpty()) {
                    throw new MalformedMessageException("frame without camera id at " + r.topic() + "/" + r.partition()
                            + "@" + r.offset(), null);
                }
                frames.add(f);
                frameRecords.add(r);
            } catch (MalformedMessageException e) {
                deadLetter(r, e.getMessage(), e);
            }
        }
        if (frames.isEmpty()) {
            return;
        }
        batchSize.record(frames.size());
        List<FrameDetector.Outcome> outcomes = inference.record(() -> detector.process(frames));
        for (int i = 0; i < outcomes.size(); i++) {
            FrameDetector.Outcome o = outcomes.get(i);
            if (o instanceof FrameDetector.Detected d) {
                producer.send(new ProducerRecord<>(Topics.DETECTIONS, d.frame().getCameraId(),
                        VigilSerdes.FRAME_DETECTIONS.serializer().serialize(Topics.DETECTIONS, d.detections())));
                framesDetected.increment();
                objects.increment(d.detections().getDetectionsCount());
            } else if (o instanceof FrameDetector.Rejected rej) {
                deadLetter(frameRecords.get(i), rej.reason(), rej.cause());
            }
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> r, String reason, Throwable cause) {
        LOG.errorf("rejected %s/%d@%d: %s", r.topic(), r.partition(), r.offset(), reason);
        framesRejected.increment();
        producer.send(DeadLetters.of(r, STAGE, reason, cause));
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    void stop() {
        running = false;
        consumer.wakeup();
    }

    boolean isRunning() {
        return running;
    }

    /** Why the loop stopped on its own, or null. */
    String failure() {
        return failure;
    }

    long nanosSinceLastPoll() {
        return System.nanoTime() - lastPollNanos;
    }
}
