package io.vigil.testkit;

import io.vigil.proto.Topics.TopicSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller) in this JVM, from
 * {@link KafkaClusterTestKit}. Each instance has its own log directory, deleted on close.
 */
public final class InProcessKafka implements AutoCloseable {

    private static InProcessKafka shared;

    private final KafkaClusterTestKit cluster;

    private InProcessKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats, starts and waits until the broker accepts clients. */
    public static InProcessKafka start() {
        return start(Map.of());
    }

    /** As {@link #start()}, with extra broker properties (e.g. for TLS listeners). */
    public static InProcessKafka start(Map<String, String> brokerProperties) {
        try {
            // Our own directory: the test kit's default one is deleted by a JVM shutdown hook of Kafka's that runs
            // alongside the one closing the shared broker, and a broker whose log directory vanishes halts the JVM
            // with status 1 (surefire then fails the module after every test passed: "Error occurred in starting fork").
            Path baseDirectory = Files.createTempDirectory("vigil-kafka-");
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setBaseDirectory(baseDirectory)
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
                    // A single node: internal topics cannot have more replicas than that.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(true);
            brokerProperties.forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new InProcessKafka(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka broker: " + e.getMessage(), e);
        }
    }

    /**
     * One broker for the whole test JVM, with every Vigil topic, stopped when the JVM exits. For tests whose
     * broker must outlive a Quarkus application ({@code @QuarkusMainTest} launches, child processes).
     */
    public static synchronized InProcessKafka shared() {
        if (shared == null) {
            InProcessKafka broker = start();
            broker.createTopics(io.vigil.proto.Topics.DEFAULTS);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "shared-kafka-stop"));
            shared = broker;
        }
        return shared;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * What the services' Kafka Streams apps run with, for a topology under test on this broker: exactly-once v2,
     * 200 ms commits, reading from the earliest offset, records up to 8 MB.
     */
    public Properties streamsProperties(String applicationId, Path stateDir) {
        Properties props = new Properties();
        props.put("application.id", applicationId);
        props.put("bootstrap.servers", bootstrapServers());
        props.put("state.dir", stateDir.toString());
        props.put("processing.guarantee", "exactly_once_v2");
        props.put("commit.interval.ms", 200);
        props.put("consumer.auto.offset.reset", "earliest");
        props.put("producer.max.request.size", 8 * 1024 * 1024);
        return props;
    }

    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(props);
    }

    /** Creates the topics (replication factor 1); topics that already exist are left as they are. */
    public void createTopics(Collection<TopicSpec> topics) {
        try (Admin admin = admin()) {
            List<NewTopic> newTopics = topics.stream()
                    .map(t -> new NewTopic(t.name(), t.partitions(), (short) 1))
                    .toList();
            admin.createTopics(newTopics).values().values().forEach(f -> {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("topic creation failed: " + e.getCause().getMessage(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the in-process Kafka broker", e);
        }
    }
}
