package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.process.ServiceProcess;
import io.vigil.proto.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Traces as a platform team turns them on (issue 31): the five packaged services with the OpenTelemetry SDK on,
 * exporting over OTLP (HTTP/protobuf) to a receiver that reads the requests with OpenTelemetry's own protocol classes,
 * while Ped2 test video 02 streams through at 10 frames/s, as a camera sends it. One frame's trace must run, parent to child, from frame-ingest's publish
 * through the detector, the assembler's wait and assembly, and the scorer, to the alert-sink.
 */
class TracingIT {

    /** One frame's path: each span the parent of the next, service and span name. */
    static final List<String> FRAME_PATH = List.of(
            "frame-ingest publish vigil.frames",
            "object-detector process vigil.frames",
            "sequence-assembler assemble sequences",
            "anomaly-scorer process vigil.sequences",
            "alert-sink process vigil.object-scores");
    /** Complete frame traces expected at least: Ped2 02 has 180 frames, most with a person in them. */
    private static final int MIN_PATHS = 100;

    private final Path data = Path.of("target/tracing-it").toAbsolutePath();
    private final Path home = Path.of("..").toAbsolutePath().normalize();

    @Test
    void oneFramesTraceRunsThroughAllFiveServices() throws Exception {
        FaultToleranceIT.deleteRecursively(data);
        Files.createDirectories(data.resolve("logs"));
        List<ServiceProcess> running = new ArrayList<>();
        try (OtlpReceiver receiver = OtlpReceiver.start();
                LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                        Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            List<ServiceSpec> specs = new ArrayList<>();
            for (ServiceSpec spec : LocalServices.services(PackagedChain.ped2(data, home, true, 10), broker.bootstrapServers())) {
                Map<String, String> props = PackagedChain.onFreePorts(spec.properties());
                // What docs/operations.md#traces tells a platform team to set, with a short export delay for the test.
                props.put("quarkus.otel.sdk.disabled", "false");
                props.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
                props.put("quarkus.otel.exporter.otlp.traces.endpoint", receiver.endpoint());
                props.put("quarkus.otel.bsp.schedule.delay", "200ms");
                ServiceSpec traced = new ServiceSpec(spec.name(), 0, props, spec.environment(), "");
                if (spec.name().equals("frame-ingest")) {
                    specs.add(traced); // last, once the others read
                } else {
                    specs.add(0, traced);
                }
            }
            for (ServiceSpec spec : specs) {
                running.add(ServiceProcess.start(spec.name(), home.resolve(spec.name() + "/target/quarkus-app/quarkus-run.jar"),
                        spec.properties(), spec.environment(), data.resolve("logs/" + spec.name() + ".log")));
                if (!spec.name().equals("frame-ingest")) {
                    HealthProbe.await(spec.name(), spec.managementPort(), "ready", Duration.ofSeconds(120));
                }
            }

            // Until the whole video is through (no new complete trace for 5 s): the trace shown is the last frame's,
            // when the services are warm (the first frames also time their warm-up).
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            List<List<ReceivedSpan>> paths = List.of();
            int quiet = 0;
            while (quiet < 5 && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                List<List<ReceivedSpan>> now = receiver.framePaths();
                quiet = now.size() >= MIN_PATHS && now.size() == paths.size() ? quiet + 1 : 0;
                paths = now;
            }
            List<ReceivedSpan> path = paths.isEmpty() ? List.of() : paths.get(paths.size() - 1);
            System.out.println("spans received by service: " + receiver.spans().stream()
                    .collect(Collectors.groupingBy(ReceivedSpan::service, Collectors.counting())) + "; requests at "
                    + receiver.paths());
            assertTrue(paths.size() >= MIN_PATHS, paths.size() + " traces from frame-ingest to the alert-sink; service logs in "
                    + data.resolve("logs"));
            long t0 = path.get(0).startNanos();
            System.out.println(paths.size() + " complete frame traces; the last frame's, " + path.get(0).traceId()
                    + " (start after the frame's publish, duration, ms):\n"
                    + path.stream().map(s -> String.format("  %-48s %8.1f %8.1f", s.service() + " " + s.name(),
                            (s.startNanos() - t0) / 1e6, (s.endNanos() - s.startNanos()) / 1e6)).collect(Collectors.joining("\n")));
            for (List<ReceivedSpan> p : paths) {
                for (int i = 1; i < p.size(); i++) {
                    // 1 ms: the assembly's start is its detections' arrival on Kafka Streams' millisecond clock.
                    assertTrue(p.get(i).startNanos() >= p.get(i - 1).startNanos() - 1_000_000L, p.get(i) + " starts before its parent");
                    assertTrue(p.get(i).endNanos() >= p.get(i).startNanos(), p.get(i) + " ends before it starts");
                }
            }
            assertEquals("", path.get(0).parentId(), "frame-ingest's publish starts the trace");
            assertEquals(Set.of("frame-ingest", "object-detector", "sequence-assembler", "anomaly-scorer", "alert-sink"),
                    path.stream().map(ReceivedSpan::service).collect(Collectors.toSet()));
        } finally {
            ServiceProcess.stopAll(running);
        }
    }

    /** A span as the receiver read it: ids in hex, times in nanoseconds since the epoch. */
    record ReceivedSpan(String service, String traceId, String spanId, String parentId, String name, long startNanos,
            long endNanos) {
        String step() {
            return service + " " + name;
        }
    }

    /** An OTLP/HTTP trace receiver: POSTed ExportTraceServiceRequests, parsed with the protocol's generated classes. */
    static final class OtlpReceiver implements AutoCloseable {
        private final HttpServer server;
        private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
        private final Set<String> paths = ConcurrentHashMap.newKeySet();

        private OtlpReceiver(HttpServer server) {
            this.server = server;
        }

        static OtlpReceiver start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/", exchange -> {
                receiver.paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
                try (InputStream in = exchange.getRequestBody()) {
                    receiver.add(ExportTraceServiceRequest.parseFrom(in));
                    byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
                    if (ok.length > 0) {
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(ok);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    exchange.sendResponseHeaders(400, -1);
                } finally {
                    exchange.close();
                }
            });
            server.start();
            return receiver;
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void add(ExportTraceServiceRequest request) {
            HexFormat hex = HexFormat.of();
            for (ResourceSpans rs : request.getResourceSpansList()) {
                String service = rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
                        .map(KeyValue::getValue).map(v -> v.getStringValue()).findFirst().orElse("?");
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (var s : ss.getSpansList()) {
                        spans.add(new ReceivedSpan(service, hex.formatHex(s.getTraceId().toByteArray()),
                                hex.formatHex(s.getSpanId().toByteArray()), hex.formatHex(s.getParentSpanId().toByteArray()),
                                s.getName(), s.getStartTimeUnixNano(), s.getEndTimeUnixNano()));
                    }
                }
            }
        }

        List<ReceivedSpan> spans() {
            return List.copyOf(spans);
        }

        Set<String> paths() {
            return Set.copyOf(paths);
        }

        /** The complete frame paths, root first, from an alert-sink span up its parents, by the root's start. */
        List<List<ReceivedSpan>> framePaths() {
            Map<String, ReceivedSpan> byId = new LinkedHashMap<>();
            spans.forEach(s -> byId.put(s.spanId(), s));
            List<List<ReceivedSpan>> paths = new ArrayList<>();
            for (ReceivedSpan last : spans) {
                if (!last.step().equals(FRAME_PATH.get(FRAME_PATH.size() - 1))) {
                    continue;
                }
                List<ReceivedSpan> path = new ArrayList<>();
                for (ReceivedSpan s = last; s != null; s = byId.get(s.parentId())) {
                    path.add(0, s);
                }
                if (path.stream().map(ReceivedSpan::step).toList().equals(FRAME_PATH)) {
                    paths.add(path);
                }
            }
            paths.sort(java.util.Comparator.comparingLong(p -> p.get(0).startNanos()));
            return paths;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
