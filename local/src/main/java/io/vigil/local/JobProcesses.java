package io.vigil.local;

import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.process.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The job's processes, stopped once by whoever asks first (the main thread, or the shutdown hook on Ctrl-C or
 * SIGTERM; a second caller waits for the first): all services at once, then the print-out, then the broker, so
 * no service is left retrying a broker that is gone. Bounded by the services' stop grace plus the broker's.
 */
final class JobProcesses {
    private LocalKafkaBroker broker;
    private FlowPrinter printer;
    private final List<ServiceProcess> services = new ArrayList<>();
    private boolean stopped;

    /** Starts a process (or the print-out) and takes charge of it; none starts once the job is stopping. */
    synchronized <T extends AutoCloseable> T start(Callable<T> starting) throws Exception {
        if (stopped) {
            throw new IllegalStateException("vigil-local is stopping");
        }
        T started = starting.call();
        if (started instanceof LocalKafkaBroker b) {
            broker = b;
        } else if (started instanceof FlowPrinter f) {
            printer = f;
        } else {
            services.add((ServiceProcess) started);
        }
        return started;
    }

    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        long start = System.nanoTime();
        if (!services.isEmpty()) {
            ServiceProcess.stopAll(services);
            JobLog.say("services stopped in " + seconds(start) + (broker == null ? "" : "; stopping the broker"));
        }
        try {
            if (printer != null) {
                printer.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (broker != null) {
            broker.close();
            JobLog.say("broker stopped; all stopped in " + seconds(start));
        }
    }

    private static String seconds(long since) {
        return String.format("%.1f s", (System.nanoTime() - since) / 1e9);
    }
}
