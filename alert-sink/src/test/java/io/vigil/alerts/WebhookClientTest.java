package io.vigil.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook against a real local HTTP server. */
class WebhookClientTest {

    private HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    /** A server answering {@code failures} times with {@code failStatus}, then 204. */
    private URI serve(int failures, int failStatus) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            int n = calls.incrementAndGet();
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(n <= failures ? failStatus : 204, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook?token=secret");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static WebhookClient client(URI url, int attempts) {
        return new WebhookClient(new WebhookClient.Settings(url, Optional.of("Bearer s3cr3t"), attempts, Duration.ofMillis(20),
                Duration.ofMillis(80), Duration.ofSeconds(2)));
    }

    @Test
    void serverThatFailsTwiceGetsTheEventOnTheThirdAttempt() throws Exception {
        URI url = serve(2, 503);
        long start = System.nanoTime();
        WebhookClient.Delivery d = client(url, 5).post("cam:1:OPEN:3", "{\"id\":\"cam:1\"}");
        assertTrue(d.delivered(), d.toString());
        assertEquals(3, d.attempts());
        assertEquals(3, calls.get());
        assertEquals(List.of("{\"id\":\"cam:1\"}", "{\"id\":\"cam:1\"}", "{\"id\":\"cam:1\"}"), bodies);
        assertEquals("Bearer s3cr3t", authorizations.get(0));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(60).toNanos(), "backed off 20 + 40 ms");
    }

    @Test
    void givesUpAfterTheLastAttemptAndDoesNotRetryClientErrors() throws Exception {
        URI url = serve(100, 500);
        WebhookClient.Delivery d = client(url, 3).post("k", "{}");
        assertFalse(d.delivered());
        assertEquals(3, d.attempts());
        assertEquals("HTTP 500", d.lastError());
        server.stop(0);

        calls.set(0);
        url = serve(100, 400);
        d = client(url, 3).post("k", "{}");
        assertFalse(d.delivered());
        assertEquals(1, d.attempts(), "a 400 is not retried");
    }

    @Test
    void unreachableEndpointFailsWithoutNamingThePathOrToken() throws Exception {
        URI url = URI.create("http://127.0.0.1:1/hook?token=secret");
        WebhookClient c = client(url, 2);
        WebhookClient.Delivery d = c.post("k", "{}");
        assertFalse(d.delivered());
        assertEquals(2, d.attempts());
        assertEquals("http://127.0.0.1:1", c.target());
        assertFalse(d.lastError().contains("secret"), d.lastError());
    }

    @Test
    void aRedirectToAnotherHostIsNotFollowed() throws Exception {
        HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger reached = new AtomicInteger();
        elsewhere.createContext("/", exchange -> {
            reached.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        elsewhere.start();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                calls.incrementAndGet();
                exchange.getResponseHeaders().add("Location", "http://localhost:" + elsewhere.getAddress().getPort() + "/steal");
                exchange.sendResponseHeaders(307, -1);
                exchange.close();
            });
            server.start();
            WebhookClient.Delivery d = client(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"), 3)
                    .post("k", "{}");
            assertFalse(d.delivered());
            assertEquals("HTTP 307", d.lastError());
            assertEquals(1, d.attempts(), "a redirect is final, not retried");
            assertEquals(0, reached.get(), "the event and its Authorization header never left for the other host");
        } finally {
            elsewhere.stop(0);
        }
    }

    @Test
    void allowListIsEnforced() {
        WebhookClient.checkAllowed(URI.create("https://hooks.example.com/x"), List.of("hooks.example.com"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebhookClient.checkAllowed(URI.create("https://evil.example.net/x?token=secret"), List.of("hooks.example.com")));
        assertTrue(e.getMessage().contains("evil.example.net") && !e.getMessage().contains("secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WebhookClient.checkAllowed(URI.create("file:///etc/passwd"),
                List.of("")));
        assertThrows(IllegalArgumentException.class, () -> WebhookClient.checkAllowed(URI.create("http://a/x"), List.of()));
    }
}
