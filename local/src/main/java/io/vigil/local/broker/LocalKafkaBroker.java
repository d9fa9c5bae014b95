package io.vigil.local.broker;

import io.vigil.auth.OwnerOnly;
import io.vigil.local.process.Processes;
import io.vigil.proto.ServiceAccess;
import io.vigil.proto.Topics.TopicSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Apache Kafka broker (KRaft: broker and controller in one process) run as a child JVM
 * from the Kafka jars on this module's classpath: formats the storage on first use, starts, waits until it
 * answers, creates topics, and stops cleanly (SIGTERM, so the broker shuts down in a controlled way).
 * The data directory survives restarts, so a stopped stack resumes from committed offsets.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final String LOOPBACK = "127.0.0.1";

    /**
     * @param dataDir        broker logs, config and its console output ({@code broker.log})
     * @param port           client listener on 127.0.0.1; 0 picks a free port
     * @param controllerPort KRaft controller listener; 0 picks a free port
     * @param security       SASL_SSL with client certificates instead of PLAINTEXT on the client listener
     * @param listenHost     where the client listener binds: 127.0.0.1 on a workstation, 0.0.0.0 in a container
     * @param advertisedHost the name clients are told to connect to (a container's service name)
     * @param outside        a second client listener for clients outside the container's network
     * @param quorum         this broker as one node of a cluster ({@link LocalKafkaCluster}); empty: a single node
     */
    public record Config(Path dataDir, int port, int controllerPort, List<TopicSpec> topics, Duration startTimeout,
            Optional<LocalSecurity> security, String listenHost, String advertisedHost, Optional<OutsideListener> outside,
            Optional<Quorum> quorum) {
        public Config {
            if (port < 0 || controllerPort < 0) {
                throw new IllegalArgumentException("ports must be >= 0");
            }
            topics = List.copyOf(topics);
        }

        /** A single node. */
        public Config(Path dataDir, int port, int controllerPort, List<TopicSpec> topics, Duration startTimeout,
                Optional<LocalSecurity> security, String listenHost, String advertisedHost, Optional<OutsideListener> outside) {
            this(dataDir, port, controllerPort, topics, startTimeout, security, listenHost, advertisedHost, outside,
                    Optional.empty());
        }

        /** The same broker as node {@code quorum.nodeId()} of a cluster. */
        public Config inQuorum(Quorum q) {
            return new Config(dataDir, port, controllerPort, topics, startTimeout, security, listenHost, advertisedHost, outside,
                    Optional.of(q));
        }

        int replicas() {
            return quorum.map(Quorum::replicas).orElse(1);
        }

        /** On loopback only. */
        public Config(Path dataDir, int port, int controllerPort, List<TopicSpec> topics, Duration startTimeout,
                Optional<LocalSecurity> security) {
            this(dataDir, port, controllerPort, topics, startTimeout, security, LOOPBACK, LOOPBACK, Optional.empty());
        }

        /** A PLAINTEXT client listener. */
        public Config(Path dataDir, int port, int controllerPort, List<TopicSpec> topics, Duration startTimeout) {
            this(dataDir, port, controllerPort, topics, startTimeout, Optional.empty());
        }
    }

    /**
     * A client listener on {@code port} that tells its clients to connect to {@code advertised} (host:port): a
     * container's broker reached from the host through a published port, while the services use its service name.
     */
    public record OutsideListener(int port, String advertised) {
        public OutsideListener {
            if (port <= 0 || !advertised.matches("[^:]+:\\d+")) {
                throw new IllegalArgumentException("an outside listener needs a port and host:port to advertise, not "
                        + port + " and " + advertised);
            }
        }
    }

    /**
     * One node of a cluster of combined broker-controllers: its id, every controller as {@code id@host:port}, the
     * cluster id all nodes are formatted with, and the replication of every topic (internal ones included; writes need
     * all but one replica in sync).
     */
    public record Quorum(int nodeId, String voters, String clusterId, int replicas) {
        public Quorum {
            if (nodeId < 1 || replicas < 1) {
                throw new IllegalArgumentException("node ids and replicas start at 1");
            }
        }

        int minInSync() {
            return Math.max(1, replicas - 1);
        }
    }

    private final Config config;
    private final Process process;
    private final String bootstrapServers;

    private LocalKafkaBroker(Config config, Process process, String bootstrapServers) {
        this.config = config;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the broker, waits until it answers and creates the topics (and, when secured, the services' user). */
    public static LocalKafkaBroker start(Config config) {
        LocalKafkaBroker broker = launch(config);
        broker.prepare();
        return broker;
    }

    /**
     * Starts the broker process and returns at once, so a caller can own the process before the wait in
     * {@link #prepare()} (a Ctrl-C during start-up then stops it too).
     */
    public static LocalKafkaBroker launch(Config config) {
        try {
            Files.createDirectories(config.dataDir());
            int port = config.port() == 0 ? freePort() : config.port();
            int controllerPort = config.controllerPort() == 0 ? freePort() : config.controllerPort();
            Path properties = writeServerProperties(config, port, controllerPort);
            Path logDir = config.dataDir().resolve("kafka-logs");
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(properties, config.dataDir(), config.quorum().map(Quorum::clusterId)
                        .orElseGet(() -> Uuid.randomUuid().toString()));
            }
            Process process = new ProcessBuilder(Processes.inOwnSession(javaCommand("kafka.Kafka", properties.toString())))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(config.dataDir().resolve("broker.log").toFile()))
                    .start();
            return new LocalKafkaBroker(config, process, "127.0.0.1:" + port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the local Kafka broker in " + config.dataDir(), e);
        }
    }

    /** Waits until the launched broker answers, then creates the topics; stops the broker when that fails. */
    public void prepare() {
        try {
            awaitAnswer(adminConfig(), config.startTimeout(), "the broker's own client");
            createTopics(config.topics());
            if (config.security().isPresent()) {
                try (Admin admin = admin()) {
                    config.security().get().upsertUsersAndAcls(admin);
                }
                awaitServiceUser(Duration.ofSeconds(30));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Waits until the services' SCRAM users authenticate: the controller has the credentials when the upsert returns,
     * the broker a moment later (a client that connected at once was refused now and then).
     */
    private void awaitServiceUser(Duration timeout) {
        Map<String, Object> props = new HashMap<>(config.security().orElseThrow()
                .clientConfig(ServiceAccess.ALERT_SINK));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        awaitAnswer(props, timeout, "the services' SCRAM user");
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Bootstrap servers and, on a secured broker, the TLS and SASL settings of the operator's tools (the broker's own
     * user): what a client in this JVM needs to read every topic.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> props = new HashMap<>();
        config.security().ifPresent(s -> props.putAll(s.toolConfig()));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** An admin client; on a secured broker it authenticates as the broker's own user, not the services'. */
    public Admin admin() {
        return Admin.create(adminConfig());
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> props = new HashMap<>();
        config.security().ifPresent(s -> props.putAll(s.toolConfig()));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return props;
    }

    /** Creates missing topics with replication factor 1; existing topics keep their partitions. */
    public void createTopics(List<TopicSpec> topics) {
        try (Admin admin = admin()) {
            List<NewTopic> newTopics = topics.stream()
                    .map(t -> new NewTopic(t.name(), t.partitions(), (short) config.replicas())).toList();
            for (var future : admin.createTopics(newTopics).values().values()) {
                try {
                    future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("creating topics failed: " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating topics timed out", e);
        }
    }

    /** Stops the broker: SIGTERM first (controlled shutdown, logs flushed), a hard kill after {@link #STOP_GRACE}. */
    @Override
    public void close() {
        Processes.stop(process, STOP_GRACE);
    }

    /** Kills the broker without a controlled shutdown, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    public Config config() {
        return config;
    }

    /** Waits until the cluster this broker is a node of has {@code brokers} brokers registered. */
    public void awaitBrokers(int brokers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                if (seen >= brokers) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster's brokers", e);
            } catch (Exception e) {
                // not answering yet
            }
            sleep(300);
        }
        throw new IllegalStateException(seen + " of " + brokers + " brokers registered within " + timeout + "; see "
                + config.dataDir().resolve("broker.log"));
    }

    /** Waits until a client with {@code props} ({@code who}) gets an answer from the broker, which must stay alive. */
    private void awaitAnswer(Map<String, Object> props, Duration timeout, String who) {
        Path out = config.dataDir().resolve("broker.log");
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with code " + process.exitValue()
                        + " during start-up; its output:\n" + tail(out, 40));
            }
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
            } catch (Exception e) {
                last = new IllegalStateException(e.getMessage(), e);
                sleep(300);
            }
        }
        throw new IllegalStateException("the Kafka broker did not answer " + who + " within " + timeout + "; its output:\n"
                + tail(out, 40), last);
    }

    private static void format(Path properties, Path dataDir, String clusterId) throws IOException {
        Path out = dataDir.resolve("format.log");
        Process format = new ProcessBuilder(javaCommand("kafka.tools.StorageTool", "format",
                "--cluster-id", clusterId, "--config", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting Kafka storage failed:\n" + tail(out, 40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    private static Path writeServerProperties(Config config, int port, int controllerPort) throws IOException {
        Path dataDir = config.dataDir();
        Optional<LocalSecurity> security = config.security();
        // With security the only client listener is SASL_SSL; the controller listener stays on loopback.
        String listener = security.isPresent() ? "SASL_SSL" : "PLAINTEXT";
        int replicas = config.replicas();
        int minInSync = config.quorum().map(Quorum::minInSync).orElse(1);
        List<String> lines = new ArrayList<>(List.of(
                "# Written by Vigil's LocalKafkaBroker on every start.",
                "process.roles=broker,controller",
                "node.id=" + config.quorum().map(Quorum::nodeId).orElse(1),
                "controller.quorum.voters=" + config.quorum().map(Quorum::voters).orElse("1@127.0.0.1:" + controllerPort),
                "listeners=" + listener + "://" + config.listenHost() + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
                        + config.outside().map(o -> ",OUTSIDE://" + config.listenHost() + ":" + o.port()).orElse(""),
                "advertised.listeners=" + listener + "://" + config.advertisedHost() + ":" + port
                        + config.outside().map(o -> ",OUTSIDE://" + o.advertised()).orElse(""),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + listener,
                // Secured, the controller's listener authenticates too (an anonymous one would need to be a super user).
                "listener.security.protocol.map=CONTROLLER:" + listener + "," + listener + ":" + listener
                        + (config.outside().isPresent() ? ",OUTSIDE:" + listener : ""),
                "log.dirs=" + dataDir.resolve("kafka-logs").toAbsolutePath(),
                "num.partitions=1",
                "offsets.topic.replication.factor=" + replicas,
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + minInSync,
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + minInSync,
                "default.replication.factor=" + replicas,
                "min.insync.replicas=" + minInSync,
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                // Frames are ~20 kB and sequences ~90 kB; leave headroom for large cameras.
                "message.max.bytes=8388608",
                "log.retention.hours=24"));
        security.ifPresent(s -> s.brokerProperties().forEach((k, v) -> lines.add(k + "=" + v)));
        Path file = dataDir.resolve("server.properties");
        OwnerOnly.create(file); // it holds the SASL users' passwords when secured
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = Processes.java();
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * A local port nobody listens on now (for brokers, services and test servers), never the same twice in this JVM.
     * It comes from below the kernel's ephemeral range: a port the kernel hands out for {@code bind(0)} can be handed
     * out again before the service it was meant for binds it, and every outgoing connection (each Kafka client's)
     * takes one from that range too; both made a service fail to start with "Address already in use".
     */
    public static synchronized int freePort() throws IOException {
        for (int tries = 0; tries < FREE_PORT_TRIES; tries++) {
            int port = FREE_PORTS_FROM + PORT_PICKER.nextInt(FREE_PORTS_TO - FREE_PORTS_FROM);
            if (handedOut.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                handedOut.add(port);
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // taken: try another
            }
        }
        throw new IOException("no free local port in " + FREE_PORTS_FROM + ".." + FREE_PORTS_TO + " after "
                + FREE_PORT_TRIES + " tries");
    }

    /** Below Linux's default ephemeral range (32768-60999) and above the main job's fixed ports (8081-9085). */
    private static final int FREE_PORTS_FROM = 20000;
    private static final int FREE_PORTS_TO = 32768;
    private static final int FREE_PORT_TRIES = 1000;
    private static final Random PORT_PICKER = new Random();
    private static final Set<Integer> handedOut = new HashSet<>();

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
