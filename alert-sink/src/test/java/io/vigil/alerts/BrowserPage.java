package io.vigil.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A page open in headless Chromium, driven over the DevTools protocol: the test types and clicks as a user would
 * and reads the DOM, while the page keeps its live stream open (which {@code --dump-dom} cannot wait for).
 */
final class BrowserPage implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://[^:]+:(\\d+)/");

    private final Process chromium;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private BrowserPage(Process chromium, WebSocket socket) {
        this.chromium = chromium;
        this.socket = socket;
    }

    static BrowserPage open(Path chromiumBinary, Path profile, String url) throws Exception {
        Files.createDirectories(profile);
        Path log = profile.resolve("chromium.log");
        List<String> command = new ArrayList<>(List.of(chromiumBinary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-allow-origins=*", url));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = devToolsPort(p, log);
            HttpClient http = HttpClient.newHttpClient();
            String wsUrl = null;
            for (int i = 0; i < 100 && wsUrl == null; i++) {
                JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if (t.path("type").asText().equals("page")) {
                        wsUrl = t.path("webSocketDebuggerUrl").asText();
                    }
                }
                if (wsUrl == null) {
                    Thread.sleep(100);
                }
            }
            if (wsUrl == null) {
                throw new IllegalStateException("chromium opened no page; see " + log);
            }
            BrowserPage[] page = new BrowserPage[1];
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        page[0].onMessage(text.toString());
                        text.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            page[0] = new BrowserPage(p, ws);
            return page[0];
        } catch (Exception | Error e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw e;
        }
    }

    private static int devToolsPort(Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("chromium exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromium did not open DevTools in 30 s; see " + log);
    }

    private void onMessage(String message) {
        try {
            JsonNode m = JSON.readTree(message);
            CompletableFuture<JsonNode> f = m.has("id") ? pending.remove(m.get("id").asInt()) : null;
            if (f != null) {
                f.complete(m);
            }
        } catch (Exception e) {
            // an event we do not follow
        }
    }

    /** The value of a JavaScript expression in the page (promises awaited). */
    JsonNode evaluate(String expression) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", "Runtime.evaluate", "params",
                Map.of("expression", expression, "awaitPromise", true, "returnByValue", true))), true).get(10, TimeUnit.SECONDS);
        JsonNode m = reply.get(30, TimeUnit.SECONDS);
        if (m.has("error") || m.path("result").has("exceptionDetails")) {
            throw new IllegalStateException(expression + ": " + m);
        }
        return m.path("result").path("result").path("value");
    }

    /**
     * A JavaScript expression: true when the element a CSS selector names is rendered and takes room on the page, as
     * a person would see it (its computed style and its ancestors', not its attributes).
     */
    static String visible(String selector) {
        return "(() => { const e = document.querySelector(" + JSON_STRING.apply(selector) + "); if (!e) return false;"
                + " const r = e.getBoundingClientRect();"
                + " return e.checkVisibility({opacityProperty: true, visibilityProperty: true}) && r.width > 0 && r.height > 0; })()";
    }

    private static final java.util.function.Function<String, String> JSON_STRING = s -> {
        try {
            return JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    };

    /** Waits until the expression is true, failing with the page's text after {@code timeout}. */
    void awaitTrue(String expression, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (evaluate("!!(" + expression + ")").asBoolean()) {
                    return;
                }
            } catch (IllegalStateException stillLoading) {
                // the page's elements are not there yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not true within " + timeout + ": " + expression + "; the page shows: "
                + evaluate("document.body.innerText").asText());
    }

    @Override
    public void close() {
        socket.abort();
        chromium.descendants().forEach(ProcessHandle::destroy);
        chromium.destroy();
        try {
            if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
                chromium.descendants().forEach(ProcessHandle::destroyForcibly);
                chromium.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
