package io.vigil.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code consumers} {@link TransactionalLoop}s of one consumer group, each on a thread of its own: what the
 * detector, the scorer and the webhook start at start-up and stop at shutdown. Loop i's transactional id is
 * {@code group-instance-i}, stable across restarts of the instance, so a restarted one fences its zombie.
 */
public final class LoopGroup {

    /** Where a group reads, how it batches, and what it does. */
    public record Spec(String groupId, String instance, int consumers, String topic, String stage, int maxBatch,
            int maxPollRecords, Duration maxWait, Duration commitInterval, TransactionalLoop.Handler handler,
            String threadName, RecordTracing tracing) {
        public Spec {
            if (consumers < 1 || maxBatch < 1 || maxPollRecords < 1) {
                throw new IllegalArgumentException("a loop group needs consumers, maxBatch and maxPollRecords >= 1");
            }
            if (commitInterval.isNegative()) {
                throw new IllegalArgumentException("commitInterval must be >= 0, got " + commitInterval);
            }
        }
    }

    private final List<TransactionalLoop> loops = new ArrayList<>();
    private final List<Consumer<String, byte[]>> consumers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private LoopGroup() {
    }

    /** Creates the clients from {@code kafkaConfig} (TLS and SASL included) and starts every loop. */
    public static LoopGroup start(Map<String, Object> kafkaConfig, Spec spec) {
        LoopGroup group = new LoopGroup();
        for (int i = 0; i < spec.consumers(); i++) {
            String id = spec.groupId() + "-" + spec.instance() + "-" + i;
            KafkaConsumer<String, byte[]> consumer = TransactionalClients.consumer(kafkaConfig, spec.groupId(), id,
                    spec.maxPollRecords(), spec.maxWait());
            TransactionalLoop loop = new TransactionalLoop(consumer, TransactionalClients.producer(kafkaConfig, id),
                    spec.topic(), spec.stage(), spec.maxBatch(), spec.maxWait(), spec.commitInterval(), spec.handler(),
                    spec.tracing());
            group.consumers.add(consumer);
            Thread thread = new Thread(loop, spec.threadName() + "-" + i);
            group.loops.add(loop);
            group.threads.add(thread);
            thread.start();
        }
        return group;
    }

    /** For health: every loop of the group. */
    public List<TransactionalLoop> loops() {
        return List.copyOf(loops);
    }

    /** The loops' consumers, for their client metrics (lag among them) only: each is used by its loop's thread. */
    public List<Consumer<String, byte[]>> consumers() {
        return List.copyOf(consumers);
    }

    /** Stops every loop and waits up to {@code join} for each thread (a loop ends its transaction first). */
    public void stop(Duration join) throws InterruptedException {
        loops.forEach(TransactionalLoop::stop);
        for (Thread t : threads) {
            t.join(join.toMillis());
        }
    }
}
