package io.vigil.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The job's liveness watch against a real HTTP endpoint answering as Quarkus' health does. */
class LivenessWatchTest {

    @Test
    void aServiceThatWasLiveAndAnswersDownInARowIsDeadOneBlipIsNot() throws Exception {
        // 503 while starting, then UP, then one DOWN, UP again, then DOWN for good (a Streams app in ERROR).
        String[] script = {"503", "200", "503", "200", "503", "503", "503"};
        AtomicInteger call = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/health/live", exchange -> {
            int status = Integer.parseInt(script[Math.min(call.getAndIncrement(), script.length - 1)]);
            byte[] body = ("{\"status\": \"" + (status == 200 ? "UP" : "DOWN") + "\", \"checks\": [{\"name\": "
                    + "\"Kafka Streams state health check\", \"status\": \"" + (status == 200 ? "UP" : "DOWN")
                    + "\", \"data\": {\"state\": \"" + (status == 200 ? "RUNNING" : "ERROR") + "\"}}]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            LivenessWatch watch = new LivenessWatch(Map.of("alert-sink", server.getAddress().getPort(),
                    "nothing-listens", freePort()), 3);
            for (int i = 0; i < 6; i++) {
                assertTrue(watch.check().isEmpty(), "check " + i + ": starting, a blip or not yet three in a row");
            }
            LivenessWatch.Dead dead = watch.check().orElseThrow();
            assertEquals("alert-sink", dead.service());
            assertTrue(dead.health().contains("\"state\": \"ERROR\""), dead.health());
        } finally {
            server.stop(0);
        }
    }

    private static int freePort() throws Exception {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
