package io.vigil.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageCodec;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real HTTP video stream on loopback that ends and goes away; the source reconnects and keeps counting. */
class LiveStreamTest {

    @TempDir
    Path temp;

    private static HttpServer serve(int port, byte[] video, AtomicInteger requests) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/cam.mkv", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "video/x-matroska");
            exchange.sendResponseHeaders(200, video.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(video);
            }
        });
        server.start();
        return server;
    }

    @Test
    void httpStreamThatDropsAndComesBackIsReconnected() throws Exception {
        Path ped2 = SharedData.ped2TestVideo("03");
        List<Path> frames = IntStream.range(0, 12).mapToObj(i -> ped2.resolve(String.format("%03d.jpg", i))).toList();
        byte[] video = Files.readAllBytes(TestVideos.write(temp.resolve("cam.mkv"), frames, "matroska", 10));

        AtomicInteger requests = new AtomicInteger();
        HttpServer server = serve(0, video, requests);
        int port = server.getAddress().getPort();
        List<String> drops = new ArrayList<>();
        SourceOptions options = new SourceOptions(90, 10, ImageCodec.DEFAULT_MAX_PIXELS, Duration.ofMillis(50),
                Duration.ofMillis(400), Duration.ofSeconds(5));
        FrameSource source = new FrameSources(options, System::currentTimeMillis)
                .open("http://127.0.0.1:" + port + "/cam.mkv", (reason, retryIn) -> drops.add(reason)).source();
        assertTrue(source.isLive());

        List<Long> indices = new ArrayList<>();
        try (source) {
            for (int i = 0; i < 12; i++) {
                indices.add(source.next().orElseThrow().index());
            }
            // The stream ends and the server goes away: the source must keep retrying until it is back.
            server.stop(0);
            Thread restarter = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    serve(port, video, requests);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            restarter.start();
            for (int i = 0; i < 12; i++) {
                SourceFrame f = source.next().orElseThrow();
                indices.add(f.index());
                assertEquals(360, f.width());
            }
            restarter.join();
        }
        assertEquals(LongRange.of(0, 24), indices, "indices continue across the reconnect");
        assertTrue(requests.get() >= 2, "connected twice, saw " + requests.get());
        assertTrue(drops.size() >= 2, "the end of the stream and at least one refused connection: " + drops);
    }

    private static final class LongRange {
        static List<Long> of(long from, long to) {
            List<Long> out = new ArrayList<>();
            for (long i = from; i < to; i++) {
                out.add(i);
            }
            return out;
        }
    }
}
