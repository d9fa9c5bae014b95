package io.vigil.local;

import java.util.concurrent.TimeUnit;

/** Stopping child processes the way their own shutdown hooks expect. */
final class Processes {

    private Processes() {
    }

    /** SIGTERM first (a JVM runs its shutdown hooks: Kafka's controlled shutdown, Quarkus' graceful stop), a hard kill after 30 s. */
    static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
