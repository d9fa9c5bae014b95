package io.vigil.local.broker;

import io.vigil.proto.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * vigil-local's Kafka broker on its own, for a container (containers/kafka): one KRaft node listening on all
 * interfaces, advertised under the container's name, with Vigil's topics created. Environment: {@code KAFKA_DATA}
 * (/var/lib/kafka, a volume: a restart resumes), {@code KAFKA_PORT} (9092), {@code KAFKA_ADVERTISED_HOST}
 * (localhost), and for clients outside the containers' network {@code KAFKA_OUTSIDE_ADVERTISED} (host:port, the
 * published port of {@code KAFKA_OUTSIDE_PORT}, 9094; none when unset). {@code KAFKA_DATA/ready} exists once it
 * answers with its topics (the health check). SIGTERM stops
 * the broker in a controlled way; the container ends when the broker does.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(System.getenv().getOrDefault("KAFKA_DATA", "/var/lib/kafka"));
        int port = Integer.parseInt(System.getenv().getOrDefault("KAFKA_PORT", "9092"));
        String advertised = System.getenv().getOrDefault("KAFKA_ADVERTISED_HOST", "localhost");
        Optional<LocalKafkaBroker.OutsideListener> outside = Optional.ofNullable(System.getenv("KAFKA_OUTSIDE_ADVERTISED"))
                .filter(a -> !a.isBlank()).map(a -> new LocalKafkaBroker.OutsideListener(
                        Integer.parseInt(System.getenv().getOrDefault("KAFKA_OUTSIDE_PORT", "9094")), a));
        // A container health check: present once the broker answers and the topics exist.
        Path ready = data.resolve("ready");
        java.nio.file.Files.deleteIfExists(ready);
        LocalKafkaBroker broker = LocalKafkaBroker.launch(new LocalKafkaBroker.Config(data, port, port + 1, Topics.DEFAULTS,
                Duration.ofMinutes(3), Optional.empty(), "0.0.0.0", advertised, outside));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-stop"));
        broker.prepare();
        java.nio.file.Files.writeString(ready, advertised + ":" + port + "\n");
        System.out.println("vigil-kafka: ready at " + advertised + ":" + port + outside.map(o -> " and " + o.advertised())
                .orElse("") + ", topics " + Topics.DEFAULTS.stream()
                .map(Topics.TopicSpec::name).toList() + "; broker log in " + data.resolve("broker.log"));
        while (broker.isAlive()) {
            Thread.sleep(1000);
        }
        System.out.println("vigil-kafka: the broker exited; see " + data.resolve("broker.log"));
        System.exit(1);
    }
}
