package dev.stratus.server.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.h2.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: an H2 database file. A save returns once its records are committed to the
 * file, so whatever was answered survives a kill -9 of the process; callers save whole
 * micro-batches, which keeps commits few under load. Reads and writes use separate connections
 * (H2 is multi-version, so a read never waits for a batch being written), and every wait for the
 * database is bounded: a caller that cannot get its turn within {@link #WAIT} gets a
 * {@link StoreException}, as does every caller while writes fail. A failed write marks the
 * store not ready (and counts {@code stratus.store.write.failures}) until a write succeeds again.
 */
public final class H2PredictionStore implements PredictionStore {
    private static final Logger LOG = LoggerFactory.getLogger(H2PredictionStore.class);
    /** The longest any caller waits for its turn at the database. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** While writes fail, readiness tries a probe write at most this often. */
    private static final long PROBE_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
    private static final String COLUMNS = "id, created_at, model_version, digit, probabilities, input, label, labelled_at";
    private static final String INSERT = "INSERT INTO predictions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String MERGE = "MERGE INTO predictions (" + COLUMNS + ") KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    private final Path directory;
    private final Guarded writer;
    private final Guarded reader;
    private final Counter writeFailures;
    private volatile boolean writesFailing;
    private volatile long lastProbeNanos;
    private volatile boolean open = true;

    private H2PredictionStore(Path directory, Connection writer, Connection reader, MeterRegistry registry) {
        this.directory = directory;
        this.writer = new Guarded(writer, "write to", WAIT);
        this.reader = new Guarded(reader, "read from", WAIT);
        this.writeFailures = Counter.builder("stratus.store.write.failures")
                .description("Saves or labels the embedded store could not commit").register(registry);
        registry.gauge("stratus.store.ready", this, store -> store.ready() ? 1 : 0);
    }

    /** Opens (or creates) the store in {@code directory}, with metrics nobody reads (tools, tests). */
    public static H2PredictionStore open(Path directory) {
        return open(directory, new SimpleMeterRegistry());
    }

    /** Opens (or creates) the store in {@code directory}; its metrics go to {@code registry}. */
    public static H2PredictionStore open(Path directory, MeterRegistry registry) {
        try {
            Files.createDirectories(directory);
            // WRITE_DELAY=0: a commit is in the file (the operating system's cache) when commit()
            // returns. With H2's default of 500 ms a kill -9 lost every commit of the last half second.
            String url = "jdbc:h2:file:" + directory.toAbsolutePath().resolve("predictions")
                    + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
            Connection writer = DriverManager.getConnection(url, "stratus", "");
            try (Statement statement = writer.createStatement()) {
                statement.execute("""
                        CREATE TABLE IF NOT EXISTS predictions (
                          id VARCHAR(64) PRIMARY KEY,
                          created_at TIMESTAMP WITH TIME ZONE NOT NULL,
                          model_version VARCHAR(200) NOT NULL,
                          digit TINYINT NOT NULL,
                          probabilities VARBINARY(40) NOT NULL,
                          input VARBINARY(784) NOT NULL,
                          label TINYINT,
                          labelled_at TIMESTAMP WITH TIME ZONE)""");
                statement.execute("CREATE INDEX IF NOT EXISTS predictions_labelled ON predictions(labelled_at)");
                statement.execute("""
                        CREATE TABLE IF NOT EXISTS label_changes (
                          prediction_id VARCHAR(64) NOT NULL,
                          label TINYINT NOT NULL,
                          changed_at TIMESTAMP WITH TIME ZONE NOT NULL,
                          client VARCHAR(64) NOT NULL)""");
                statement.execute("CREATE INDEX IF NOT EXISTS label_changes_prediction ON label_changes(prediction_id)");
                statement.execute("CREATE TABLE IF NOT EXISTS store_probe (id INT PRIMARY KEY, at TIMESTAMP WITH TIME ZONE)");
            }
            Connection reader = DriverManager.getConnection(url, "stratus", "");
            return new H2PredictionStore(directory, writer, reader, registry);
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open the prediction store in " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(PredictionRecord record) {
        saveAll(List.of(record));
    }

    /**
     * Commits every record in one transaction; returns once they are in the file. Embedded ids
     * are fresh, so nothing is stored before: a record written again replaces the first copy.
     */
    @Override
    public List<PredictionRecord> saveAll(List<PredictionRecord> records) {
        if (!records.isEmpty()) {
            writing("save " + records.size() + " prediction(s)", connection -> {
                insert(connection, records);
                return null;
            });
        }
        return records;
    }

    @Override
    public Optional<PredictionRecord> find(String id) {
        return reader.use("read prediction " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT * FROM predictions WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(read(row)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<PredictionRecord> label(String id, LabelChange change) {
        int updated = writing("label prediction " + id, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE predictions SET label = ?, labelled_at = ? WHERE id = ?");
                 PreparedStatement history = connection.prepareStatement(
                         "INSERT INTO label_changes (prediction_id, label, changed_at, client) VALUES (?, ?, ?, ?)")) {
                update.setInt(1, change.label());
                update.setTimestamp(2, Timestamp.from(change.at()));
                update.setString(3, id);
                int rows = update.executeUpdate();
                if (rows > 0) {
                    history.setString(1, id);
                    history.setInt(2, change.label());
                    history.setTimestamp(3, Timestamp.from(change.at()));
                    history.setString(4, change.client());
                    history.executeUpdate();
                }
                connection.commit();
                return rows;
            }
        });
        return updated == 0 ? Optional.empty() : find(id);
    }

    @Override
    public List<LabelChange> labelHistory(String id) {
        return reader.use("read the label history of " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT label, changed_at, client "
                    + "FROM label_changes WHERE prediction_id = ? ORDER BY changed_at, _ROWID_")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    List<LabelChange> changes = new ArrayList<>();
                    while (rows.next()) {
                        changes.add(new LabelChange(rows.getInt(1), rows.getTimestamp(2).toInstant(), rows.getString(3)));
                    }
                    return changes;
                }
            }
        });
    }

    @Override
    public void forEachLabelled(Consumer<PredictionRecord> action) {
        reader.use("read labelled predictions", connection -> {
            try (Statement select = connection.createStatement();
                 ResultSet rows = select.executeQuery(
                         "SELECT * FROM predictions WHERE label IS NOT NULL ORDER BY labelled_at, id")) {
                while (rows.next()) {
                    action.accept(read(rows));
                }
            }
            return null;
        });
    }

    /** Open and writing; from a second after a failed write, a probe write (once a second at most) decides. */
    @Override
    public boolean ready() {
        if (!open) {
            return false;
        }
        if (writesFailing && System.nanoTime() - lastProbeNanos > PROBE_INTERVAL_NANOS) {
            lastProbeNanos = System.nanoTime();
            try {
                writing("probe", connection -> {
                    try (Statement probe = connection.createStatement()) {
                        probe.executeUpdate("MERGE INTO store_probe (id, at) KEY (id) VALUES (1, CURRENT_TIMESTAMP)");
                        connection.commit();
                    }
                    return null;
                });
            } catch (StoreException e) {
                LOG.debug("the store's probe write failed: {}", e.getMessage());
            }
        }
        return !writesFailing;
    }

    /** A write on the write connection; a failure is counted, logged and makes the store not ready. */
    private <T> T writing(String action, Guarded.Work<T> work) {
        try {
            T result = writer.use(action, connection -> {
                connection.setAutoCommit(false);
                try {
                    return work.apply(connection);
                } catch (SQLException e) {
                    connection.rollback();
                    throw e;
                }
            });
            if (writesFailing) {
                LOG.info("the prediction store in {} is writing again", directory);
                writesFailing = false;
            }
            return result;
        } catch (StoreException e) {
            writeFailures.increment();
            if (!writesFailing) {
                LOG.error("the prediction store in {} could not {}; not ready until a write succeeds: {}",
                        directory, action, e.getMessage());
            }
            writesFailing = true;
            lastProbeNanos = System.nanoTime();
            throw e;
        }
    }

    /**
     * Writes a batch in one transaction. A plain INSERT costs about half of a MERGE, which looks
     * each key up first; ids are fresh, so a clash means a record is being written again, and
     * then the whole batch goes again as a MERGE, which overwrites instead of failing.
     */
    private static void insert(Connection connection, List<PredictionRecord> batch) throws SQLException {
        try {
            write(connection, batch, INSERT);
        } catch (SQLException e) {
            connection.rollback();
            if (e.getErrorCode() != ErrorCode.DUPLICATE_KEY_1) {
                throw e;
            }
            write(connection, batch, MERGE);
        }
    }

    private static void write(Connection connection, List<PredictionRecord> batch, String sql) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            for (PredictionRecord r : batch) {
                insert.setString(1, r.id());
                insert.setTimestamp(2, Timestamp.from(r.createdAt()));
                insert.setString(3, r.modelVersion());
                insert.setInt(4, r.digit());
                insert.setBytes(5, toBytes(r.probabilities()));
                insert.setBytes(6, r.input());
                insert.setObject(7, r.label());
                insert.setTimestamp(8, r.labelledAt() == null ? null : Timestamp.from(r.labelledAt()));
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
        }
    }

    private static PredictionRecord read(ResultSet row) throws SQLException {
        Timestamp labelledAt = row.getTimestamp("labelled_at");
        int label = row.getInt("label");
        Integer maybeLabel = row.wasNull() ? null : label;
        return new PredictionRecord(row.getString("id"), row.getTimestamp("created_at").toInstant(),
                row.getString("model_version"), row.getInt("digit"), toFloats(row.getBytes("probabilities")),
                row.getBytes("input"), maybeLabel, labelledAt == null ? null : labelledAt.toInstant());
    }

    private static byte[] toBytes(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static float[] toFloats(byte[] bytes) {
        float[] values = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    @Override
    public void close() {
        open = false;
        writer.close();
        reader.close();
    }
}
