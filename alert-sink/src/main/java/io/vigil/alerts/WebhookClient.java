package io.vigil.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * POSTs JSON to one webhook with retries and exponential backoff. Plain Java: the dispatcher runs it on its own
 * thread, so a slow or failing endpoint never holds up the stream. Logs and errors name the endpoint by scheme,
 * host and port only: paths and queries often carry tokens, and the Authorization header is never shown.
 */
public final class WebhookClient {

    public record Settings(URI url, Optional<String> authorization, int maxAttempts, Duration initialBackoff,
            Duration maxBackoff, Duration timeout) {
    }

    /** How a delivery ended: delivered (2xx) after {@code attempts}, or given up with the last error. */
    public record Delivery(boolean delivered, int attempts, String lastError) {
    }

    private final Settings settings;
    private final HttpClient http;

    public WebhookClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Fails unless the URL is http(s) and its host is on the allow-list. */
    public static void checkAllowed(URI url, List<String> allowedHosts) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("webhook must be http or https, got " + redact(url));
        }
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        if (allowedHosts.stream().noneMatch(h -> h.trim().toLowerCase(Locale.ROOT).equals(host))) {
            throw new IllegalArgumentException("webhook host '" + host + "' is not in vigil.alerts.webhook.allowed-hosts "
                    + allowedHosts);
        }
    }

    /** The URL without user info, path or query: safe to log. */
    public static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
    }

    public String target() {
        return redact(settings.url());
    }

    /**
     * Delivers one payload: retries on connection errors, timeouts, 429 and 5xx with backoff doubling from the
     * initial to the maximum; 4xx other than 429 is final (retrying will not fix the request).
     */
    public Delivery post(String idempotencyKey, String json) throws InterruptedException {
        Duration backoff = settings.initialBackoff();
        String lastError = "";
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
                    .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofString(json));
            settings.authorization().ifPresent(a -> request.header("Authorization", a));
            boolean retriable;
            try {
                int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 200 && status < 300) {
                    return new Delivery(true, attempt, "");
                }
                lastError = "HTTP " + status;
                retriable = status == 429 || status >= 500;
            } catch (IOException e) {
                lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                retriable = true;
            }
            if (!retriable || attempt == settings.maxAttempts()) {
                return new Delivery(false, attempt, lastError);
            }
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : backoff.multipliedBy(2);
        }
        return new Delivery(false, settings.maxAttempts(), lastError);
    }
}
