package dev.stratus.chaos;

import dev.stratus.cluster.Processes;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stratus chaos}: the distributed stack (or, with --embedded, the one-JVM app) under load and kill -9. */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false, version = "stratus 0.1.0",
        description = {"Runs `stratus up --distributed` under a steady load and, every 20-40 s, kills (kill -9) a",
                "worker, a gateway, a Kafka broker, the CouchDB-API server or nginx; the stack starts it again.",
                "Then checks every answer against its stored record and that the stop leaves nothing running.",
                "With --embedded: the one-JVM app, killed and started again --restarts times.",
                "Exit status 0 only if nothing answered was lost, duplicated or stored differently, and every",
                "failure was a documented 503/504 (or no answer) during a kill."})
public final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--minutes", defaultValue = "20", description = "Length of the distributed soak (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "20", description = "Requests per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--min-gap", defaultValue = "20", description = "Fewest seconds between kills (default ${DEFAULT-VALUE}).")
    int minGap;

    @Option(names = "--max-gap", defaultValue = "40", description = "Most seconds between kills (default ${DEFAULT-VALUE}).")
    int maxGap;

    @Option(names = "--embedded", description = "Soak the one-JVM app instead of the distributed stack.")
    boolean embedded;

    @Option(names = "--restarts", defaultValue = "50", description = "With --embedded: kills and restarts (default ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--seed", description = "Seed of the kill schedule (default: random, printed).")
    Long seed;

    @Option(names = "--port", defaultValue = "0", description = "Port of the app (default: a free one).")
    int port;

    @Option(names = "--data", defaultValue = "${sys:user.home}/.cache/stratus/mnist",
            description = "Directory with the MNIST test files the load sends (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--out", defaultValue = "chaos-report",
            description = "Where report.txt, timeline.png and the stack's work directory go (default ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--stratus", defaultValue = "${sys:stratus.launcher:-./stratus}",
            description = "The stratus launcher that starts the app (default ${DEFAULT-VALUE}).")
    Path launcher;

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(new CommandLine(new ChaosCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (rate < 1 || minGap < 1 || maxGap < minGap || minutes <= 0 || restarts < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--rate, --min-gap, --restarts must be positive, --max-gap >= --min-gap and --minutes > 0");
        }
        if (!Files.isExecutable(launcher)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    launcher + " is not the stratus launcher (an executable); set --stratus");
        }
        LabeledImages images = testImages(data);
        long chosenSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1_000_000);
        int appPort = port > 0 ? port : Processes.freePort();
        Path outAbs = outDir.toAbsolutePath();
        Files.createDirectories(outAbs);
        SteadyLoad load = new SteadyLoad(images);
        String report;
        boolean passed;
        List<KillWindow> kills;
        if (embedded) {
            Path dataDir = outAbs.resolve("embedded-data");
            EmbeddedSoak.Result result = new EmbeddedSoak(new EmbeddedSoak.Settings(launcher, dataDir, appPort, restarts,
                    rate, chosenSeed), out).run(load);
            passed = result.passed();
            kills = result.kills();
            report = SoakReport.text("Embedded soak: " + restarts + " kill -9 restarts, seed " + chosenSeed,
                    result.tally(), kills, result.leftRunning(), passed);
        } else {
            Duration length = Duration.ofMillis((long) (minutes * 60_000));
            DistributedSoak.Result result = new DistributedSoak(new DistributedSoak.Settings(launcher,
                    outAbs.resolve("work"), appPort, length, rate, Duration.ofSeconds(minGap), Duration.ofSeconds(maxGap),
                    chosenSeed), out).run(load);
            passed = result.passed();
            kills = result.kills();
            report = SoakReport.text(String.format("Distributed soak: %.1f min at %d requests/s, seed %d", minutes, rate,
                    chosenSeed), result.tally(), kills, result.leftRunning(), passed);
        }
        out.print(report);
        Files.writeString(outAbs.resolve("report.txt"), report);
        SoakReport.chart(embedded ? "stratus chaos --embedded" : "stratus chaos", load.outcomes(), kills,
                outAbs.resolve("timeline.png"));
        out.println("Report: " + outAbs.resolve("report.txt") + ", picture: " + outAbs.resolve("timeline.png"));
        return passed ? 0 : 1;
    }

    private static LabeledImages testImages(Path dir) throws IOException {
        Path images = dir.resolve(MnistFiles.TEST_IMAGES);
        Path labels = dir.resolve(MnistFiles.TEST_LABELS);
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IOException("no MNIST test files in " + dir + " (" + MnistFiles.TEST_IMAGES + ", "
                    + MnistFiles.TEST_LABELS + "); `stratus train` downloads them, or set --data");
        }
        return Idx.read(images, labels);
    }
}
