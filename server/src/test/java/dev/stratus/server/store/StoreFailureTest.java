package dev.stratus.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store when things go wrong: a process killed outright, writes the database
 * refuses, a row another transaction holds. Nothing saved is lost, no wait is unbounded, and a
 * failing store says so (exception, readiness, metric) until it writes again.
 */
class StoreFailureTest {
    @TempDir
    Path dir;

    /**
     * Fails on the write-behind store of early 2026: saves returned before the records reached
     * the file (and H2's default 500 ms write delay lost even committed ones to a kill -9).
     */
    @Test
    void everything_saved_survives_the_process_being_killed_outright() throws Exception {
        Path data = dir.resolve("data");
        String classpath = System.getProperty("java.class.path");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", classpath, SaveThenHalt.class.getName(), data.toString(), "3000")
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child process ended").isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isEqualTo(9);
        assertThat(output).contains("saved 3000");

        try (SqlPredictionStore reopened = SqlPredictionStore.open(data)) {
            for (int i = 0; i < 3000; i++) {
                assertThat(reopened.find("halt-" + i)).as("halt-" + i).isPresent();
            }
        }
    }

    @Test
    void a_refused_write_fails_its_save_marks_the_store_not_ready_and_counts_until_writes_work_again()
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SqlPredictionStore store = SqlPredictionStore.open(dir, registry);
             Connection admin = adminConnection()) {
            store.save(SqlPredictionStoreTest.record("before", 1, 1));
            assertThat(store.ready()).isTrue();
            // A real refusal by the database, of this batch and of readiness's probe write.
            execute(admin, "CREATE TRIGGER only_low BEFORE INSERT ON predictions WHEN NEW.digit >= 5 "
                    + "BEGIN SELECT RAISE(ABORT, 'only digits below 5'); END");
            execute(admin, "CREATE TRIGGER no_probe BEFORE INSERT ON store_probe BEGIN SELECT RAISE(ABORT, 'no probe'); END");

            assertThatThrownBy(() -> store.saveAll(List.of(SqlPredictionStoreTest.record("low", 2, 2),
                    SqlPredictionStoreTest.record("high", 7, 7))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot save 2 prediction(s)");
            assertThat(store.find("low")).as("a failed batch is all or nothing").isEmpty();
            assertThat(store.ready()).isFalse();
            assertThat(registry.get("stratus.store.write.failures").counter().count()).isEqualTo(1.0);
            assertThat(registry.get("stratus.store.ready").gauge().value()).isZero();
            Thread.sleep(1_500);
            assertThat(store.ready()).as("the probe write is refused too").isFalse();

            execute(admin, "DROP TRIGGER only_low");
            execute(admin, "DROP TRIGGER no_probe");
            // Readiness probes with a write of its own, at most once a second.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!store.ready() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(store.ready()).isTrue();
            store.save(SqlPredictionStoreTest.record("high", 7, 7));
            assertThat(store.find("high")).isPresent();
            assertThat(store.find("before")).isPresent();
        }
    }

    /**
     * A label waits for the database's write lock at most its busy timeout, then fails the call
     * (503), and the store writes again once the lock is free. (The old store's label() first
     * waited, with no bound, until every pending save was on disk.)
     */
    @Test
    void a_label_on_a_row_that_another_transaction_holds_fails_within_a_bound_instead_of_hanging()
            throws Exception {
        try (SqlPredictionStore store = SqlPredictionStore.open(dir);
             Connection other = adminConnection()) {
            store.save(SqlPredictionStoreTest.record("held", 3, 3));
            other.setAutoCommit(false);
            execute(other, "UPDATE predictions SET label = 9 WHERE id = 'held'");

            assertThatThrownBy(() -> store.label("held", TestLabels.now(4))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot label prediction held");
            other.rollback();
            assertThat(store.label("held", TestLabels.now(4))).hasValueSatisfying(r -> assertThat(r.label()).isEqualTo(4));
        }
    }

    @Test
    void saves_from_many_threads_are_all_stored() throws Exception {
        try (SqlPredictionStore store = SqlPredictionStore.open(dir)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                Thread writer = new Thread(() -> {
                    for (int batch = 0; batch < 20; batch++) {
                        List<PredictionRecord> records = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                            records.add(SqlPredictionStoreTest.record(thread + "-" + batch + "-" + i, i, i));
                        }
                        store.saveAll(records);
                    }
                });
                writer.start();
                threads.add(writer);
            }
            for (Thread thread : threads) {
                thread.join(60_000);
            }
            for (int t = 0; t < 8; t++) {
                for (int batch = 0; batch < 20; batch++) {
                    assertThat(store.find(t + "-" + batch + "-9")).isPresent();
                }
            }
        }
    }

    private Connection adminConnection() throws SQLException {
        // The same database, opened a second time, as a tool (or an operator) would.
        return DriverManager.getConnection("jdbc:sqlite:" + dir.toAbsolutePath().resolve(SqliteDialect.FILE));
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The child process: saves records in micro-batches, says so, and halts as a kill -9 would. */
    public static final class SaveThenHalt {
        public static void main(String[] args) throws IOException {
            Path data = Path.of(args[0]);
            int count = Integer.parseInt(args[1]);
            Files.createDirectories(data);
            SqlPredictionStore store = SqlPredictionStore.open(data);
            List<PredictionRecord> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                batch.add(SqlPredictionStoreTest.record("halt-" + i, i % 10, i));
                if (batch.size() == 50) {
                    store.saveAll(batch);
                    batch.clear();
                }
            }
            store.saveAll(batch);
            System.out.println("saved " + count);
            System.out.flush();
            Runtime.getRuntime().halt(9);
        }
    }
}
