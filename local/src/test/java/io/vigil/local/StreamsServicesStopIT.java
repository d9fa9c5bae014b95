package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.process.ServiceProcess;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two Kafka Streams services stop in bounded time when the broker went away first, in the middle of their
 * transactions: Kafka Streams' own close waits without limit and kept them retrying for 60 to 90 s before; now they
 * close within their close timeout.
 */
class StreamsServicesStopIT {

    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path temp;

    @Test
    void theAssemblerAndTheAlertSinkStopWithinTheirCloseTimeoutWithoutABroker() throws Exception {
        Path home = Path.of("..").toAbsolutePath().normalize();
        List<ServiceProcess> services = new ArrayList<>();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(temp.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            for (Map.Entry<String, String> service : Map.of("sequence-assembler", "vigil.assembler", "alert-sink", "vigil.alerts")
                    .entrySet()) {
                int port = service.getKey().equals("alert-sink") ? 8085 : 8083;
                Map<String, String> props = new java.util.HashMap<>(Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                        "quarkus.http.port", Integer.toString(port),
                        "quarkus.management.port", Integer.toString(port + LocalServices.MANAGEMENT_PORT_OFFSET),
                        "kafka-streams.state.dir", temp.resolve(service.getKey()).toString(),
                        service.getValue() + ".close-timeout", CLOSE_TIMEOUT.toSeconds() + "s"));
                if (service.getKey().equals("alert-sink")) {
                    props.put("vigil.alerts.auth.enabled", "false"); // no tokens here: this test is about stopping
                }
                services.add(ServiceProcess.start(service.getKey(), home.resolve(service.getKey()
                        + "/target/quarkus-app/quarkus-run.jar"), props, temp.resolve(service.getKey() + ".log")));
                HealthProbe.await(service.getKey(), port + LocalServices.MANAGEMENT_PORT_OFFSET, "ready", Duration.ofMinutes(2));
            }
            Thread camera = feed(broker.bootstrapServers());
            Thread.sleep(5000); // both services are in the middle of transactions
            broker.kill();
            camera.interrupt();
            long start = System.nanoTime();
            services.forEach(s -> ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroy)); // SIGTERM
            for (ServiceProcess s : services) {
                long deadline = start + CLOSE_TIMEOUT.plusSeconds(15).toNanos();
                while (s.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("%s stopped %.1f s after SIGTERM without a broker%n", s.name(), seconds);
                assertTrue(!s.isAlive(), s.name() + " still running " + seconds + " s after SIGTERM; log "
                        + Files.readString(s.log()));
            }
        } finally {
            for (ServiceProcess s : services) {
                s.kill();
            }
        }
    }

    /** A camera's frames and (empty) detections, 20 a second, until interrupted. */
    private static Thread feed(String bootstrap) throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.ped2TestVideo("02").resolve("000.jpg"));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Thread t = new Thread(() -> {
            try (producer) {
                for (long i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    producer.send(new ProducerRecord<>(Topics.FRAMES, "stop-test", Frame.newBuilder().setCameraId("stop-test")
                            .setFrameIndex(i).setCaptureTimeMs(System.currentTimeMillis()).setWidth(360).setHeight(240)
                            .setJpeg(ByteString.copyFrom(jpeg)).build().toByteArray()));
                    producer.send(new ProducerRecord<>(Topics.DETECTIONS, "stop-test", FrameDetections.newBuilder()
                            .setCameraId("stop-test").setFrameIndex(i).setWidth(360).setHeight(240).setDetector("none")
                            .build().toByteArray()));
                    Thread.sleep(50);
                }
            } catch (InterruptedException | org.apache.kafka.common.KafkaException stopped) {
                // the broker is gone or the test is done
            }
        }, "stop-test-camera");
        t.start();
        return t;
    }
}
