package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.proto.Topics;
import io.vigil.testkit.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain on a camera with a password: an MJPEG camera over HTTP that streams only with Basic credentials
 * (as IP cameras do), given to {@code vigil-local} in {@code VIGIL_SOURCE_URI}. Its frames flow through every stage,
 * and the marker password is in no log, no record of any topic (keys, values, headers), no response of the
 * alert-sink's API or page, no health check or metrics of any service, nothing printed, and no command line.
 */
class CredentialedCameraIT {

    static final String PASSWORD = "S3cretMarker";
    static final int FRAMES = 120;
    /**
     * The job's duration. Five services start on 2 cores in about 40 s, then score the 120 frames; the official CI
     * once had 108 of them scored 70 s after the start.
     */
    static final int JOB_SECONDS = 110;

    @TempDir
    Path temp;

    @Test
    void theCamerasPasswordReachesTheCameraAndNothingElse() throws Exception {
        AtomicInteger streamed = new AtomicInteger();
        HttpServer camera = mjpegCamera(streamed);
        int kafkaPort = LocalKafkaBroker.freePort();
        Path data = temp.resolve("data");
        String uri = "http://alice:" + PASSWORD + "@127.0.0.1:" + camera.getAddress().getPort() + "/video.mjpg";
        LocalOptions options = LocalOptions.parse(new String[] {"--data-dir", data.toString(), "--camera", "door",
                "--kafka-port", Integer.toString(kafkaPort), "--duration", JOB_SECONDS + "s", "--home",
                Path.of("..").toAbsolutePath().normalize().toString()}, Map.of(LocalServices.SOURCE_URI_VARIABLE, uri));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(new TeeStream(stdout, printed), true, StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        try {
            CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> {
                try {
                    return VigilLocal.run(options);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            HttpClient http = HttpClient.newHttpClient();
            // Wait until the frames went through the whole chain: the alert-sink has the camera's frame scores.
            String cookie = null;
            // Leaves the checks below a quarter of a minute before the job's end stops the services.
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(JOB_SECONDS - 15);
            int scores = 0;
            while (System.nanoTime() < deadline && scores < FRAMES - 10) {
                Thread.sleep(2000);
                try {
                    if (cookie == null) {
                        cookie = login(http, data);
                    }
                    String body = get(http, "http://localhost:8085/cameras/door/scores", cookie).body();
                    scores = body.split("\"frame\"").length - 1;
                } catch (java.io.IOException notYet) {
                    // starting
                }
            }
            System.out.printf("%d of the camera's %d frames scored %d s after the job started%n", scores, FRAMES,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            assertTrue(scores >= FRAMES - 10, "the camera's frames were scored: " + scores);
            assertEquals(1, streamed.get(), "the camera streamed once, with the right credentials");

            for (String path : List.of("/", "/events", "/cameras", "/cameras/door/scores", "/cameras/door/thresholds",
                    "/settings", "/auth/me")) {
                HttpResponse<String> r = get(http, "http://localhost:8085" + path, cookie);
                assertEquals(200, r.statusCode(), path);
                seen.add(path + " " + r.headers().map() + " " + r.body());
            }
            for (int port = 9081; port <= 9085; port++) {
                for (String path : List.of("/q/health", "/q/metrics")) {
                    seen.add(port + path + " " + get(http, "http://localhost:" + port + path, null).body());
                }
            }
            assertTrue(seen.stream().anyMatch(s -> s.contains("door")), "the responses are about the camera");
            seen.add("command lines " + ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")).toList());
            List<String> records = topics(kafkaPort);
            assertTrue(records.stream().filter(r -> r.startsWith(Topics.FRAMES + " ")).count() >= FRAMES,
                    "the frames are on the topic");
            assertTrue(records.stream().anyMatch(r -> r.startsWith(Topics.FRAMES + " ") && r.contains("http://***@127.0.0.1")),
                    "each frame names its source without the password");
            seen.addAll(records);
            assertEquals(0, job.get(3, TimeUnit.MINUTES), "the job ends when its duration runs out");
        } finally {
            System.setOut(stdout);
            camera.stop(0);
        }
        seen.add(printed.toString(StandardCharsets.UTF_8));
        try (Stream<Path> logs = Files.walk(data.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                seen.add(log + " " + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
        }
        for (String s : seen) {
            assertFalse(s.contains(PASSWORD), "the camera's password in: " + s.substring(0, Math.min(300, s.length())));
        }
    }

    /** Serves Ped2 test video 02 as multipart MJPEG, once, to a client with alice's password; 401 otherwise. */
    private static HttpServer mjpegCamera(AtomicInteger streamed) throws Exception {
        List<byte[]> jpegs = new ArrayList<>();
        try (Stream<Path> files = Files.list(SharedData.ped2TestVideo("02"))) {
            for (Path f : files.sorted().limit(FRAMES).toList()) {
                jpegs.add(Files.readAllBytes(f));
            }
        }
        String credentials = "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/video.mjpg", exchange -> {
            if (!credentials.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"camera\"");
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            if (streamed.incrementAndGet() > 1) { // the camera went away: frame-ingest retries, and logs it
                streamed.decrementAndGet();
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "multipart/x-mixed-replace;boundary=frame");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (byte[] jpeg : jpegs) {
                    out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(jpeg);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return server;
    }

    private static String login(HttpClient http, Path data) throws Exception {
        String password = Files.readString(PageLogin.in(data).passwordFile()).strip();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:8085/auth/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"username\": \""
                        + PageLogin.USER + "\", \"password\": \"" + password + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new java.io.IOException("login: " + r.statusCode());
        }
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private static HttpResponse<String> get(HttpClient http, String url, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every record of every topic, as text: topic, key, value (bytes as Latin-1) and headers. */
    private static List<String> topics(int kafkaPort) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"); // aborted records too
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            c.listTopics(Duration.ofSeconds(30)).forEach((topic, parts) -> parts.forEach(
                    part -> all.add(new TopicPartition(topic, part.partition()))));
            c.assign(all);
            c.seekToBeginning(all);
            Map<TopicPartition, Long> ends = c.endOffsets(all);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && all.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    StringBuilder s = new StringBuilder(r.topic()).append(' ');
                    s.append(r.key() == null ? "" : new String(r.key(), StandardCharsets.ISO_8859_1)).append(' ');
                    s.append(r.value() == null ? "" : new String(r.value(), StandardCharsets.ISO_8859_1));
                    for (Header h : r.headers()) {
                        s.append(' ').append(h.key()).append('=').append(new String(h.value(), StandardCharsets.ISO_8859_1));
                    }
                    out.add(s.toString());
                }
            }
        }
        return out;
    }

    /** Writes to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
