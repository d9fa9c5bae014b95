package io.vigil.kafka;

import java.time.Duration;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * A close that must end in bounded time. A Kafka client closing against a broker that is gone can retry for minutes
 * (Kafka Streams' own {@code close()} waits without limit); after the timeout the process ends without it, which is
 * safe under exactly-once: the broker aborts the open transaction and a restart redoes it from the committed offsets.
 */
public final class BoundedClose {

    private static final Logger LOG = Logger.getLogger(BoundedClose.class);

    private BoundedClose() {
    }

    /** @param closeWithin closes, waiting at most the given time; true when it finished */
    public static void closeOrHalt(String what, Duration timeout, Predicate<Duration> closeWithin) {
        if (!closeWithin.test(timeout)) {
            LOG.errorf("%s did not close within %s; ending the process without waiting for it (uncommitted work is "
                    + "aborted and redone from the committed offsets after a restart)", what, timeout);
            Runtime.getRuntime().halt(1);
        }
    }
}
