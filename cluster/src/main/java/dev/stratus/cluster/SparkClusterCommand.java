package dev.stratus.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stratus spark-cluster up|down|status}: a Spark standalone cluster on this machine that
 * outlives the command, for {@code stratus train --spark spark://127.0.0.1:7077}. {@code up}
 * records the process ids in the cluster's directory; {@code down} stops exactly those.
 */
@Command(name = "spark-cluster", mixinStandardHelpOptions = true, version = "stratus 0.1.0",
        description = "A local Spark standalone cluster (master + N workers, executors in their own JVMs) on 127.0.0.1.",
        subcommands = {SparkClusterCommand.Up.class, SparkClusterCommand.Down.class, SparkClusterCommand.Status.class})
public final class SparkClusterCommand {
    private static final String STATE_FILE = "cluster.properties";

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        CommandLine line = new CommandLine(new SparkClusterCommand());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("spark-cluster: " + e.getMessage());
            return 1;
        });
        System.exit(line.execute(args));
    }

    /** Options every sub-command shares. */
    static class Where {
        @Option(names = "--dir", defaultValue = "${sys:user.home}/.local/share/stratus/spark-cluster",
                description = "Logs, work directories and the process ids (default ${DEFAULT-VALUE}).")
        Path dir;

        Path state() {
            return dir.resolve(STATE_FILE);
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Starts the master and the workers; returns when all are registered.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin
        Where where;

        @Option(names = "--workers", defaultValue = "2", description = "Workers, one core each (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--worker-memory", defaultValue = "2g", description = "Memory each worker offers its executor (default ${DEFAULT-VALUE}).")
        String workerMemory;

        @Option(names = "--port", defaultValue = "7077", description = "The master's port (default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--jars", defaultValue = "${sys:" + LocalSparkCluster.JARS_PROPERTY + "}",
                description = "Spark and the training job's jars, $SPARK_HOME/jars of the cluster (default: -D" + LocalSparkCluster.JARS_PROPERTY + ").")
        Path jars;

        @Override
        public Integer call() throws IOException {
            PrintStream out = System.out;
            if (Files.exists(where.state())) {
                Properties running = read(where.state());
                throw new IllegalStateException("a cluster recorded in " + where.state() + " may be running ("
                        + running.getProperty("master") + "); run 'stratus spark-cluster down' first");
            }
            if (Processes.accepts(port)) {
                throw new IllegalStateException("port " + port + " on 127.0.0.1 is taken; choose another with --port");
            }
            long start = System.nanoTime();
            out.printf("Starting a Spark master and %d workers (logs in %s)...%n", workers, where.dir);
            LocalSparkCluster cluster = LocalSparkCluster.start(new LocalSparkCluster.Settings(jars, workers,
                    workerMemory, port, where.dir));
            Properties state = new Properties();
            state.setProperty("master", cluster.masterUrl());
            state.setProperty("ui", cluster.uiUrl());
            state.setProperty("workers", Integer.toString(workers));
            state.setProperty("pids", cluster.pids().stream().map(String::valueOf).collect(Collectors.joining(",")));
            try (Writer writer = Files.newBufferedWriter(where.state())) {
                state.store(writer, "stratus spark-cluster; 'stratus spark-cluster down' stops these processes");
            }
            out.printf("Spark cluster ready in %.1f s: %d workers registered.%n", (System.nanoTime() - start) / 1e9,
                    workers);
            out.printf("  master  %s   (train: ./stratus train --spark %s --workers %d)%n", cluster.masterUrl(),
                    cluster.masterUrl(), workers);
            out.printf("  web UI  %s%n", cluster.uiUrl());
            out.println("Stop it with: ./stratus spark-cluster down");
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stops the cluster that 'up' started, executors included.")
    static final class Down implements Callable<Integer> {
        @CommandLine.Mixin
        Where where;

        @Override
        public Integer call() throws IOException {
            if (!Files.exists(where.state())) {
                System.out.println("No Spark cluster recorded in " + where.dir + "; nothing to stop.");
                return 0;
            }
            Properties state = read(where.state());
            int stopped = LocalSparkCluster.stop(pids(state));
            Files.delete(where.state());
            System.out.printf("Stopped %d Spark processes (%s) and their executors.%n", stopped,
                    state.getProperty("master"));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Says whether the recorded cluster runs.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        Where where;

        @Override
        public Integer call() throws IOException {
            if (!Files.exists(where.state())) {
                System.out.println("No Spark cluster recorded in " + where.dir + ".");
                return 1;
            }
            Properties state = read(where.state());
            List<Long> pids = pids(state);
            long alive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .count();
            System.out.printf("%s: %d of %d processes alive (master + %s workers); web UI %s%n",
                    state.getProperty("master"), alive, pids.size(),
                    state.getProperty("workers"), state.getProperty("ui"));
            return alive > 0 ? 0 : 1;
        }
    }

    /** The process ids that {@code up} recorded: the master's first. */
    private static List<Long> pids(Properties state) {
        return Arrays.stream(state.getProperty("pids", "").split(",")).filter(s -> !s.isBlank())
                .map(Long::parseLong).toList();
    }

    private static Properties read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }
}
