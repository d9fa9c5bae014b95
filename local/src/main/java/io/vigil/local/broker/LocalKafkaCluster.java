package io.vigil.local.broker;

import io.vigil.proto.Topics.TopicSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster on this machine: {@code n} combined broker-controller processes (KRaft), each topic replicated
 * to all of them with writes needing all but one replica in sync, as a platform team runs Kafka. One node can be
 * killed and brought back on its own data while the others serve.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    private final List<LocalKafkaBroker.Config> configs;
    private final LocalKafkaBroker[] nodes;

    private LocalKafkaCluster(List<LocalKafkaBroker.Config> configs) {
        this.configs = configs;
        this.nodes = new LocalKafkaBroker[configs.size()];
    }

    /** Launches {@code n} nodes under {@code dir}, waits for the first to answer and creates the topics. */
    public static LocalKafkaCluster start(Path dir, int n, List<TopicSpec> topics, Duration startTimeout) throws IOException {
        List<Integer> ports = new ArrayList<>();
        List<Integer> controllerPorts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(LocalKafkaBroker.freePort());
            controllerPorts.add(LocalKafkaBroker.freePort());
        }
        String voters = java.util.stream.IntStream.range(0, n).mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i))
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<LocalKafkaBroker.Config> configs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            configs.add(new LocalKafkaBroker.Config(dir.resolve("node-" + (i + 1)), ports.get(i), controllerPorts.get(i), topics,
                    startTimeout).inQuorum(new LocalKafkaBroker.Quorum(i + 1, voters, clusterId, n)));
        }
        LocalKafkaCluster cluster = new LocalKafkaCluster(configs);
        try {
            // Every node first: the controllers elect a leader only once a majority of them runs.
            for (int i = 0; i < n; i++) {
                cluster.nodes[i] = LocalKafkaBroker.launch(configs.get(i));
            }
            cluster.nodes[0].awaitBrokers(n, startTimeout);
            cluster.nodes[0].prepare();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Every node's client listener: clients find the others through any one. */
    public String bootstrapServers() {
        return configs.stream().map(c -> "127.0.0.1:" + c.port()).collect(Collectors.joining(","));
    }

    public int size() {
        return nodes.length;
    }

    /** Kills node {@code i} (0-based) as a crash would: no controlled shutdown. */
    public void kill(int i) throws InterruptedException {
        nodes[i].kill();
    }

    /** Starts node {@code i} again on its own data; it catches up from the others. */
    public void restart(int i) {
        nodes[i] = LocalKafkaBroker.launch(configs.get(i));
    }

    public boolean isAlive(int i) {
        return nodes[i] != null && nodes[i].isAlive();
    }

    @Override
    public void close() {
        for (LocalKafkaBroker node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }
}
