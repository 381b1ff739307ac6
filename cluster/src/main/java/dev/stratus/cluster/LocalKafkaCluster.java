package dev.stratus.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster on this machine: N combined broker and controller nodes (KRaft, no
 * ZooKeeper), each a child JVM on its own loopback ports and directory under the work dir.
 * Node ids are 0 to N-1, the same ids Kafka reports as partition leaders, so a test can
 * {@link #kill(int)} the leader it was told about.
 *
 * <pre>{@code
 * try (LocalKafkaCluster kafka = LocalKafkaCluster.start(dir, 3)) {
 *     producerConfig.put("bootstrap.servers", kafka.bootstrapServers());
 *     kafka.kill(1);
 *     kafka.start(1);
 * }
 * }</pre>
 */
public final class LocalKafkaCluster implements AutoCloseable {
    /** System property naming the directory of the broker jars; default: cluster/target/kafka-lib. */
    public static final String KAFKA_LIB_PROPERTY = "stratus.kafka.lib";
    /** How long a node, or all nodes started together, may take to become ready. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    static final String STARTED_LINE = "Kafka Server started";

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaCluster.class);
    private static final String BROKER_JAR_PREFIX = "kafka_2.13-";
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    // When the quorum is already lost, the last node waits in controlled shutdown for a
    // controller that will never answer; it gets this long, then SIGKILL.
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(20);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);

    private final Path kafkaLib;
    private final Path log4jConfig;
    private final List<KafkaNode> nodes;
    private final StackCredentials credentials;
    private final Process[] processes;

    private LocalKafkaCluster(Path kafkaLib, Path log4jConfig, List<KafkaNode> nodes, StackCredentials credentials) {
        this.kafkaLib = kafkaLib;
        this.log4jConfig = log4jConfig;
        this.nodes = List.copyOf(nodes);
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.processes = new Process[nodes.size()];
    }

    /**
     * Formats and starts {@code nodes} nodes under the empty (or absent) {@code workDir}, with
     * generated credentials ({@link #clientProperties()}); returns when all are ready.
     */
    public static LocalKafkaCluster start(Path workDir, int nodes) {
        return start(workDir, nodes, Map.of(), StackCredentials.generate());
    }

    /**
     * As {@link #start(Path, int)}, with {@code extraConfig} appended to every node's
     * server.properties (for example a shorter {@code broker.session.timeout.ms}), and the Kafka
     * logins of {@code credentials}.
     */
    public static LocalKafkaCluster start(Path workDir, int nodes, Map<String, String> extraConfig,
                                          StackCredentials credentials) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a cluster needs at least 1 node, got " + nodes);
        }
        Objects.requireNonNull(extraConfig, "extraConfig");
        Path lib = kafkaLib();
        List<KafkaNode> layout = layout(workDir.toAbsolutePath(), nodes);
        LocalKafkaCluster cluster = new LocalKafkaCluster(lib, workDir.toAbsolutePath().resolve("log4j2.xml"), layout,
                credentials);
        try {
            cluster.writeConfiguration(extraConfig);
            long started = System.nanoTime();
            cluster.format(newClusterId());
            LOG.debug("Kafka nodes formatted in {} ms", (System.nanoTime() - started) / 1_000_000);
            cluster.startAll();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The brokers' addresses, {@code 127.0.0.1:p1,127.0.0.1:p2,...}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaNode::bootstrapServer).collect(Collectors.joining(","));
    }

    /**
     * What a client needs besides {@code bootstrap.servers}: {@code security.protocol},
     * {@code sasl.mechanism} and {@code sasl.jaas.config} with the cluster's user. A client
     * without them is refused.
     */
    public Map<String, String> clientProperties() {
        return credentials.kafkaClientProperties();
    }

    /** One broker's address, {@code 127.0.0.1:port}. */
    public String bootstrapServer(int node) {
        return node(node).bootstrapServer();
    }

    /** The client (SASL_PLAINTEXT) port of node {@code node}'s broker. */
    public int brokerPort(int node) {
        return node(node).brokerPort();
    }

    /** The port of node {@code node}'s controller listener. */
    int controllerPort(int node) {
        return node(node).controllerPort();
    }

    /** How many nodes the cluster has, running or not. */
    public int nodes() {
        return nodes.size();
    }

    /** Whether node {@code node}'s process is alive. */
    public synchronized boolean isRunning(int node) {
        Process process = processes[node(node).id()];
        return process != null && process.isAlive();
    }

    /** The operating-system process id of node {@code node}, while it runs. */
    public synchronized long pid(int node) {
        if (!isRunning(node)) {
            throw new IllegalStateException("node " + node + " is not running");
        }
        return processes[node].pid();
    }

    /** The file that holds node {@code node}'s output (warnings, errors, the start line). */
    public Path logFile(int node) {
        return node(node).log();
    }

    /** Stops node {@code node} cleanly (SIGTERM: controlled shutdown), killing it if it takes over 30 s. */
    public synchronized void stop(int node) {
        Process process = processes[node(node).id()];
        if (process != null && !Processes.stop(process, STOP_GRACE)) {
            LOG.warn("Kafka node {} ignored SIGTERM for {} s and was killed", node, STOP_GRACE.toSeconds());
        }
    }

    /** Kills node {@code node} at once (SIGKILL), as a crash would. */
    public synchronized void kill(int node) {
        Process process = processes[node(node).id()];
        if (process != null) {
            Processes.kill(process);
        }
    }

    /** Starts a stopped or killed node again with its configuration and data; returns when it is ready. */
    public void start(int node) {
        KafkaNode target = node(node);
        long from;
        Process process;
        synchronized (this) {
            if (isRunning(node)) {
                throw new IllegalStateException("node " + node + " is already running");
            }
            from = Processes.sizeOf(target.log());
            process = launch(target);
            processes[target.id()] = process;
        }
        awaitStarted(target, process, from, START_TIMEOUT);
    }

    /** Stops every node together: SIGTERM to all, SIGKILL to any still alive after 20 s. */
    @Override
    public synchronized void close() {
        List<Process> alive = Arrays.stream(processes).filter(p -> p != null && p.isAlive()).toList();
        if (!alive.isEmpty()) {
            Processes.stopAll(alive, CLOSE_GRACE);
        }
    }

    /**
     * The directory of the broker jars: the system property {@value #KAFKA_LIB_PROPERTY}, else
     * target/kafka-lib next to this module's classes or jar, else cluster/target/kafka-lib under
     * the working directory or its parent.
     */
    public static Path kafkaLib() {
        String configured = System.getProperty(KAFKA_LIB_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath();
            if (!holdsBroker(dir)) {
                throw new IllegalStateException("-D" + KAFKA_LIB_PROPERTY + "=" + dir
                        + " does not hold the Kafka broker jars (" + BROKER_JAR_PREFIX + "*.jar)");
            }
            return dir;
        }
        Path cwd = Path.of("").toAbsolutePath();
        List<Path> candidates = new ArrayList<>();
        besideThisModule().ifPresent(candidates::add);
        candidates.add(cwd.resolve("cluster/target/kafka-lib"));
        candidates.add(cwd.resolve("target/kafka-lib"));
        if (cwd.getParent() != null) {
            candidates.add(cwd.getParent().resolve("cluster/target/kafka-lib"));
        }
        return candidates.stream().filter(LocalKafkaCluster::holdsBroker).findFirst()
                .orElseThrow(() -> new IllegalStateException("the Kafka broker jars are missing: build them with"
                        + " './mvnw -pl cluster package' (or set -D" + KAFKA_LIB_PROPERTY + "=DIR); looked in "
                        + candidates));
    }

    private static Optional<Path> besideThisModule() {
        try {
            var source = LocalKafkaCluster.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            // target/classes or target/stratus-cluster-<version>.jar: either way, target/ is the parent.
            Path location = Path.of(source.getLocation().toURI());
            return Optional.ofNullable(location.getParent()).map(target -> target.resolve("kafka-lib"));
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean holdsBroker(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(BROKER_JAR_PREFIX));
        } catch (IOException e) {
            return false;
        }
    }

    static List<KafkaNode> layout(Path workDir, int nodes) {
        int[] ports = Processes.freePorts(2 * nodes);
        return IntStream.range(0, nodes)
                .mapToObj(i -> new KafkaNode(i, ports[2 * i], ports[2 * i + 1], workDir.resolve("node-" + i)))
                .toList();
    }

    /** A random cluster id in Kafka's form: 16 random bytes, URL-safe Base64 without padding. */
    /** A random KRaft cluster id (22 characters of URL-safe base64, never starting with '-'). */
    public static String newClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            // Kafka refuses ids that start with '-': they read as command-line flags.
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private void writeConfiguration(Map<String, String> extraConfig) {
        try {
            for (KafkaNode node : nodes) {
                if (Files.exists(node.data().resolve("meta.properties"))) {
                    throw new IllegalArgumentException(node.dir() + " already holds a formatted Kafka node;"
                            + " a LocalKafkaCluster starts in an empty work dir");
                }
                Files.createDirectories(node.dir());
                Files.setPosixFilePermissions(node.dir(), PosixFilePermissions.fromString("rwx------"));
                StackCredentials.writePrivate(node.properties(), node.serverProperties(nodes, extraConfig, credentials));
            }
            try (InputStream config = LocalKafkaCluster.class.getResourceAsStream("kafka-log4j2.xml")) {
                Files.copy(Objects.requireNonNull(config, "kafka-log4j2.xml is missing from the classpath"),
                        log4jConfig, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Kafka configuration", e);
        }
    }

    /**
     * Formats every node, creating the SCRAM user in its metadata. The arguments, password
     * included, go in a 0600 argument file ({@code java @file}), not on the command line, which
     * every user can read; it is deleted afterwards.
     */
    private void format(String clusterId) {
        List<Process> formatting = new ArrayList<>();
        try {
            for (KafkaNode node : nodes) {
                Path arguments = node.dir().resolve("format.args");
                StackCredentials.writePrivate(arguments, String.join("\n", "kafka.tools.StorageTool", "format", "-t",
                        clusterId, "-c", node.properties().toString(), "--add-scram", KafkaNode.addScram(credentials)) + "\n");
                formatting.add(Processes.start(java("@" + arguments), node.dir(), formatLog(node)));
            }
            for (int i = 0; i < nodes.size(); i++) {
                Process process = formatting.get(i);
                if (!process.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                        || process.exitValue() != 0) {
                    throw new StartupFailedException("formatting Kafka node " + i + " failed; "
                            + formatLog(nodes.get(i)) + ":\n" + Processes.tail(formatLog(nodes.get(i)), 20));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the arguments of the Kafka format", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailedException("interrupted while formatting the Kafka nodes", e);
        } finally {
            formatting.stream().filter(Process::isAlive).forEach(Processes::kill);
            for (KafkaNode node : nodes) {
                try {
                    Files.deleteIfExists(node.dir().resolve("format.args"));
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", node.dir().resolve("format.args"), e.toString());
                }
            }
        }
    }

    private static Path formatLog(KafkaNode node) {
        return node.dir().resolve("format.log");
    }

    private void startAll() {
        long started = System.nanoTime();
        long[] from = new long[nodes.size()];
        Process[] launched = new Process[nodes.size()];
        synchronized (this) {
            for (KafkaNode node : nodes) {
                from[node.id()] = Processes.sizeOf(node.log());
                launched[node.id()] = launch(node);
                processes[node.id()] = launched[node.id()];
            }
        }
        // One deadline for the whole cluster: the nodes elect a controller together.
        long deadline = started + START_TIMEOUT.toNanos();
        for (KafkaNode node : nodes) {
            awaitStarted(node, launched[node.id()], from[node.id()],
                    Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        LOG.info("Kafka cluster of {} node(s) ready in {} ms on {}", nodes.size(),
                (System.nanoTime() - started) / 1_000_000, bootstrapServers());
    }

    private static void awaitStarted(KafkaNode node, Process process, long from, Duration timeout) {
        String what = "Kafka node " + node.id();
        Processes.awaitLogLine(what, process, node.log(), from, STARTED_LINE, timeout);
        Processes.awaitPort(what, process, node.log(), node.brokerPort(), Duration.ofSeconds(10));
    }

    private Process launch(KafkaNode node) {
        List<String> command = java("kafka.Kafka", node.properties().toString());
        command.addAll(1, List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"));
        // KILL, not TERM, when this JVM dies: every run formats a fresh cluster, and a node that has
        // lost its quorum can hang in a controlled shutdown.
        return Processes.start(command, java.util.Map.of(), node.dir(), node.log(), "KILL");
    }

    /** A JVM on the broker jars that runs {@code mainClass} (or an {@code @argument-file} that names it). */
    private List<String> java(String mainClass, String... args) {
        // C1 only (StackJit) and the serial collector: on a 2-core machine three brokers start in
        // half the CPU time (about 6 instead of 11 CPU-seconds each), which matters more to a
        // local cluster than peak throughput.
        List<String> command = new ArrayList<>(List.of(Processes.javaBinary(), "-XX:+UseSerialGC"));
        command.addAll(StackJit.options());
        command.addAll(List.of("-Dlog4j2.configurationFile=" + log4jConfig,
                "-cp", kafkaLib.resolve("*").toString(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private KafkaNode node(int node) {
        if (node < 0 || node >= nodes.size()) {
            throw new IllegalArgumentException("no node " + node + "; nodes are 0 to " + (nodes.size() - 1));
        }
        return nodes.get(node);
    }
}
