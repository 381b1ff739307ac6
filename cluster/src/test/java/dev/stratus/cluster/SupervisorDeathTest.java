package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up --distributed} as a separate JVM (one Kafka node and the CouchDB-API server, the
 * quickest stack): its children end with it however it ends, a second supervisor of the same
 * work directory is refused, and what an earlier run left is stopped by the next start.
 */
class SupervisorDeathTest {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration CHILDREN_GONE = Duration.ofSeconds(30);

    @Test
    void children_end_when_the_supervisor_is_killed_with_sigkill(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("work");
        Process up = running(dir, false);
        List<ProcessHandle> children = up.descendants().toList();
        assertThat(children).as("a Kafka node and pouchdb-server").hasSizeGreaterThanOrEqualTo(2);

        Path secondOut = dir.getParent().resolve(dir.getFileName() + "-second.out");
        Process second = supervisor(dir, secondOut, false);
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(Files.readString(secondOut)).contains("another up --distributed (pid " + up.pid() + ") is running");

        up.destroyForcibly();
        assertAllEnd(children);
    }

    @Test
    void sigint_stops_a_supervisor_started_in_the_background(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("work");
        Process up = running(dir, true);
        List<ProcessHandle> children = up.descendants().toList();
        new ProcessBuilder("kill", "-INT", Long.toString(up.pid())).start().waitFor(10, TimeUnit.SECONDS);
        assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("the supervisor ends on SIGINT").isTrue();
        assertThat(Files.readString(output(dir))).contains("Stopped.");
        assertAllEnd(children);
    }

    @Test
    void a_new_start_stops_what_an_earlier_run_left(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("work");
        Files.createDirectories(dir.resolve("couchdb"));
        // A node process naming the work directory, orphaned as a supervisor's child would be.
        Process shell = new ProcessBuilder("bash", "-c", "node -e 'setTimeout(() => {}, 600000)' \"$0\" >/dev/null 2>&1 & echo $!",
                dir.resolve("couchdb").toAbsolutePath().toString()).start();
        ProcessHandle leftover = ProcessHandle.of(Long.parseLong(new String(shell.getInputStream().readAllBytes()).strip()))
                .orElseThrow();
        try {
            assertThat(Leftovers.find(dir)).extracting(ProcessHandle::pid).contains(leftover.pid());
            Process up = running(dir, false);
            assertThat(Files.readString(output(dir))).contains("left by an earlier run").contains(Long.toString(leftover.pid()));
            assertThat(leftover.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("the leftover was stopped").isFalse();
            List<ProcessHandle> children = up.descendants().toList();
            up.destroy();
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertAllEnd(children);
        } finally {
            leftover.destroyForcibly();
        }
    }

    /** A supervisor that has started its stack. */
    private static Process running(Path dir, boolean sigintIgnored) throws Exception {
        Process up = supervisor(dir, sigintIgnored);
        awaitOutput(dir, "Started without gateways", up);
        return up;
    }

    /** {@code java ... UpDistributed --brokers 1 --gateways 0 --workers 0}, output to a file in {@code dir}. */
    private static Process supervisor(Path dir, boolean sigintIgnored) throws IOException {
        return supervisor(dir, output(dir), sigintIgnored);
    }

    private static Process supervisor(Path dir, Path out, boolean sigintIgnored) throws IOException {
        Files.createDirectories(dir);
        List<String> java = new ArrayList<>(List.of(Processes.javaBinary(), "-cp", System.getProperty("java.class.path")));
        for (String property : List.of(LocalCouchDb.BINARY_PROPERTY, LocalKafkaCluster.KAFKA_LIB_PROPERTY)) {
            if (System.getProperty(property) != null) {
                java.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        java.addAll(List.of(UpDistributed.class.getName(), "--brokers", "1", "--gateways", "0", "--workers", "0",
                "--port", Integer.toString(Processes.freePort()), "--work-dir", dir.toString()));
        List<String> command = new ArrayList<>();
        if (sigintIgnored) {
            // What a non-interactive shell does to a job it starts with &: SIGINT ignored. Then the
            // launcher's way back (./stratus starts up --distributed through scripts/sigint-default).
            command.addAll(List.of("bash", "-c", "trap '' INT; exec \"$@\"", "bash",
                    Path.of("").toAbsolutePath().resolveSibling("scripts").resolve("sigint-default").toString()));
        }
        command.addAll(java);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
    }

    private static Path output(Path dir) {
        return dir.getParent().resolve(dir.getFileName() + ".out");
    }

    private static void awaitOutput(Path dir, String text, Process up) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.exists(output(dir)) ? Files.readString(output(dir)) : "";
            if (out.contains(text)) {
                return;
            }
            if (!up.isAlive()) {
                throw new AssertionError("up --distributed ended (" + up.exitValue() + ") before '" + text + "':\n" + out);
            }
            Thread.sleep(200);
        }
        up.destroyForcibly();
        throw new AssertionError("no '" + text + "' within " + START.toSeconds() + " s:\n" + Files.readString(output(dir)));
    }

    private static void assertAllEnd(List<ProcessHandle> children) throws InterruptedException {
        long deadline = System.nanoTime() + CHILDREN_GONE.toNanos();
        while (System.nanoTime() < deadline && children.stream().anyMatch(ProcessHandle::isAlive)) {
            Thread.sleep(200);
        }
        List<String> alive = children.stream().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        children.forEach(ProcessHandle::destroyForcibly);
        assertThat(alive).as("children still running " + CHILDREN_GONE.toSeconds() + " s after the supervisor").isEmpty();
    }
}
