package dev.stratus.cluster;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stratus up --distributed}: the whole distributed pipeline on this machine, in one command. */
@Command(name = "up --distributed", mixinStandardHelpOptions = true, sortOptions = false, version = "stratus 0.1.0",
        description = {"Starts a local Kafka cluster, a CouchDB-API server, gateways, inference workers and nginx,",
                "all on 127.0.0.1; Ctrl-C, SIGINT or SIGTERM stops them all, and they also stop when",
                "this process is killed outright (kill -9)."})
public final class UpDistributed implements Callable<Integer> {
    /** System property with the server artifact's classpath (set by the ./stratus launcher). */
    public static final String SERVER_CLASSPATH_PROPERTY = "stratus.server.classpath";

    @Option(names = "--port", defaultValue = "8080", description = "Port of nginx, the address to open (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--brokers", defaultValue = "3", description = "Kafka nodes, each broker and controller (default ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--gateways", defaultValue = "2", description = "Gateways behind nginx (default ${DEFAULT-VALUE}).")
    int gateways;

    @Option(names = "--workers", defaultValue = "2", description = "Inference workers (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--rate-limit", defaultValue = "50",
            description = {"API requests per second per client address, at nginx; 0 = no limit (default ${DEFAULT-VALUE}).",
                    "Every client on this machine is 127.0.0.1: benchmarks through nginx want 0."})
    int rateLimit;

    @Option(names = "--rate-burst", defaultValue = "100",
            description = "API requests a client may send at once beyond that (default ${DEFAULT-VALUE}).")
    int rateBurst;

    @Option(names = "--work-dir", defaultValue = "${sys:user.home}/.local/share/stratus/distributed",
            description = "Data and logs of every process (default ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--server-classpath", defaultValue = "${sys:" + SERVER_CLASSPATH_PROPERTY + "}",
            description = "Classpath of the server artifact, for gateways and workers (default: -D" + SERVER_CLASSPATH_PROPERTY + ").")
    String serverClasspath;

    // Accepted so that the launcher can pass `up --distributed ...` through unchanged.
    @Option(names = "--distributed", hidden = true)
    boolean distributed;

    public static void main(String[] args) {
        // The command prints its own progress; the library's INFO lines would repeat it.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int code = new CommandLine(new UpDistributed()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintStream out = System.out;
        DistributedStack.Settings settings;
        try {
            settings = new DistributedStack.Settings(port, brokers, gateways, workers, workDir, serverClasspath,
                    new LocalNginx.RateLimit(rateLimit, rateBurst));
        } catch (IllegalArgumentException e) {
            System.err.println("up --distributed: " + e.getMessage());
            return 2;
        }
        DistributedStack stack = new DistributedStack(settings, out::println);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping everything ...");
            stack.close();
            stopOrphans();
            out.println("Stopped.");
            stopped.countDown();
        }, "stop-stack"));
        out.println("Starting Stratus, distributed, under " + workDir.toAbsolutePath());
        try {
            stack.start();
        } catch (RuntimeException e) {
            System.err.println("up --distributed: " + e.getMessage());
            return 1; // the shutdown hook stops what did start
        }
        out.println();
        out.print(table(stack.members()));
        out.println();
        out.println(stack.url() != null ? "Stratus is ready on " + stack.url() + " (Ctrl-C stops everything)"
                : "Started without gateways (Ctrl-C stops everything)");
        stopped.await();
        return 0;
    }

    /** The running processes as an aligned text table: role, PID, port, log file. */
    static String table(List<DistributedStack.Member> members) {
        StringBuilder text = new StringBuilder(String.format("%-10s %8s %6s  %s%n", "ROLE", "PID", "PORT", "LOG"));
        for (DistributedStack.Member member : members) {
            text.append(String.format("%-10s %8d %6s  %s%n", member.role(), member.pid(),
                    member.port() > 0 ? Integer.toString(member.port()) : "-", member.log()));
        }
        return text.toString();
    }

    /**
     * Whatever child is still alive here was being started when the stop came: this JVM only
     * ever starts the stack's processes, so all of its descendants go.
     */
    private static void stopOrphans() {
        Processes.stopHandles(ProcessHandle.current().descendants().toList(), Duration.ofSeconds(5));
    }
}
