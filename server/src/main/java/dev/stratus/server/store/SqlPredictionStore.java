package dev.stratus.server.store;

import dev.stratus.core.verdict.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: a database file in the data directory, SQLite for a new directory (its
 * page cache is off the Java heap) and H2 for one written before December 2026. A save returns
 * once its records are committed to the file, so whatever was answered survives a kill -9 of
 * the process; callers save whole micro-batches, which keeps commits few under load. Reads and
 * writes use separate connections (both databases let a read go on while a batch is written),
 * and every wait for the database is bounded: a caller that cannot get its turn within
 * {@link #WAIT} gets a {@link StoreException}, as does every caller while writes fail. A failed
 * write marks the store not ready (and counts {@code stratus.store.write.failures}) until a
 * write succeeds again.
 */
public final class SqlPredictionStore implements PredictionStore {
    private static final Logger LOG = LoggerFactory.getLogger(SqlPredictionStore.class);
    /** The longest any caller waits for its turn at the database. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** While writes fail, readiness tries a probe write at most this often. */
    private static final long PROBE_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
    private static final String COLUMNS =
            "id, created_at, model_version, digit, probabilities, input, label, labelled_at, verdict, number";
    private static final String VALUES = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    private final Path directory;
    private final SqlDialect dialect;
    private final Guarded writer;
    private final Guarded reader;
    private final String insert;
    private final String upsert;
    private final SqlNumberStore numbers;
    private final Counter writeFailures;
    private final Timer saves;
    private volatile boolean writesFailing;
    private volatile long lastProbeNanos;
    private volatile boolean open = true;

    private SqlPredictionStore(Path directory, SqlDialect dialect, Connection writer, Connection reader,
                               MeterRegistry registry) {
        this.directory = directory;
        this.dialect = dialect;
        this.writer = new Guarded(writer, "write to", WAIT);
        this.reader = new Guarded(reader, "read from", WAIT);
        this.insert = "INSERT INTO predictions (" + COLUMNS + ") VALUES (" + VALUES + ")";
        this.upsert = dialect.upsert("predictions", COLUMNS, VALUES);
        this.numbers = new SqlNumberStore(this, dialect, this.reader);
        this.writeFailures = Counter.builder("stratus.store.write.failures")
                .description("Saves or labels the embedded store could not commit").register(registry);
        this.saves = Timer.builder("stratus.store.save.duration")
                .description("Time to commit one batch of predictions, waiting for the write connection included")
                .publishPercentileHistogram().register(registry);
        registry.gauge("stratus.store.ready", this, store -> store.ready() ? 1 : 0);
    }

    /** Opens the store in {@code directory} (tools, tests: metrics nobody reads); see {@link #open(Path, MeterRegistry)}. */
    public static SqlPredictionStore open(Path directory) {
        return open(directory, new SimpleMeterRegistry());
    }

    /**
     * Opens the store in {@code directory}, creating it if need be: the H2 database a directory
     * already holds, otherwise SQLite. Its metrics go to {@code registry}.
     */
    public static SqlPredictionStore open(Path directory, MeterRegistry registry) {
        SqlDialect h2 = new H2Dialect();
        SqlDialect sqlite = new SqliteDialect();
        boolean legacy = h2.existsIn(directory) && !sqlite.existsIn(directory);
        return open(directory, legacy ? h2 : sqlite, registry);
    }

    /** Opens the H2 store in {@code directory}, whatever else it holds (benchmarks, tests). */
    public static SqlPredictionStore openH2(Path directory) {
        return open(directory, new H2Dialect(), new SimpleMeterRegistry());
    }

    static SqlPredictionStore open(Path directory, SqlDialect dialect, MeterRegistry registry) {
        try {
            Files.createDirectories(directory);
            Connection writer = dialect.connect(directory);
            try (Statement statement = writer.createStatement()) {
                for (String sql : Stream.concat(schema(dialect).stream(),
                        SqlNumberStore.schema(dialect).stream()).toList()) {
                    statement.execute(sql);
                }
                addVerdictColumns(writer, dialect);
            }
            Connection reader = dialect.connect(directory);
            return new SqlPredictionStore(directory, dialect, writer, reader, registry);
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open the prediction store in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Statements that create whatever is missing of the schema, in the dialect's types. */
    private static List<String> schema(SqlDialect d) {
        String id = d.text(64);
        return List.of("CREATE TABLE IF NOT EXISTS predictions (id " + id + " PRIMARY KEY, created_at " + d.instant()
                        + " NOT NULL, model_version " + d.text(200) + " NOT NULL, digit " + d.smallInt()
                        + " NOT NULL, probabilities " + d.bytes(40) + " NOT NULL, input " + d.bytes(784)
                        + " NOT NULL, label " + d.smallInt() + ", labelled_at " + d.instant() + ", verdict "
                        + d.text(16) + ", number " + d.text(64) + ")",
                "CREATE INDEX IF NOT EXISTS predictions_labelled ON predictions(labelled_at)",
                "CREATE TABLE IF NOT EXISTS label_changes (prediction_id " + id + " NOT NULL, label "
                        + d.smallInt() + " NOT NULL, changed_at " + d.instant() + " NOT NULL, client "
                        + d.text(LabelChange.MAX_CLIENT_LENGTH) + " NOT NULL)",
                "CREATE INDEX IF NOT EXISTS label_changes_prediction ON label_changes(prediction_id)",
                "CREATE TABLE IF NOT EXISTS store_probe (id INTEGER PRIMARY KEY, at " + d.instant() + ")");
    }

    /**
     * A store made before verdicts (issue 17) gains their two columns; its rows keep null there,
     * which reads as "no verdict stored".
     */
    private static void addVerdictColumns(Connection connection, SqlDialect d) throws SQLException {
        try (Statement probe = connection.createStatement()) {
            probe.executeQuery("SELECT verdict, number FROM predictions WHERE 1 = 0").close();
            return;
        } catch (SQLException missing) {
            // The columns are not there yet: add them below.
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE predictions ADD COLUMN verdict " + d.text(16));
            statement.execute("ALTER TABLE predictions ADD COLUMN number " + d.text(64));
        }
    }

    /** The numbers, in tables of their own in the same file. */
    @Override
    public NumberStore numbers() {
        return numbers;
    }

    /** The database under this store, e.g. "SQLite". */
    public String database() {
        return dialect.name();
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
            long start = System.nanoTime();
            writing("save " + records.size() + " prediction(s)", connection -> {
                insert(connection, records);
                return null;
            });
            saves.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
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
                dialect.setInstant(update, 2, change.at());
                update.setString(3, id);
                int rows = update.executeUpdate();
                if (rows > 0) {
                    history.setString(1, id);
                    history.setInt(2, change.label());
                    dialect.setInstant(history, 3, change.at());
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
                    + "FROM label_changes WHERE prediction_id = ? ORDER BY changed_at, " + dialect.insertionOrder())) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    List<LabelChange> changes = new ArrayList<>();
                    while (rows.next()) {
                        changes.add(new LabelChange(rows.getInt("label"), dialect.getInstant(rows, "changed_at"),
                                rows.getString("client")));
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
                        probe.executeUpdate(dialect.probe());
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
    <T> T writing(String action, Guarded.Work<T> work) {
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
     * Writes a batch in one transaction. A plain INSERT costs less than an upsert, which looks
     * each key up first; ids are fresh, so a clash means a record is being written again, and
     * then the whole batch goes again as an upsert, which overwrites instead of failing.
     */
    private void insert(Connection connection, List<PredictionRecord> batch) throws SQLException {
        try {
            write(connection, batch, insert);
        } catch (SQLException e) {
            connection.rollback();
            if (!dialect.isDuplicateKey(e)) {
                throw e;
            }
            write(connection, batch, upsert);
        }
    }

    private void write(Connection connection, List<PredictionRecord> batch, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (PredictionRecord r : batch) {
                statement.setString(1, r.id());
                dialect.setInstant(statement, 2, r.createdAt());
                statement.setString(3, r.modelVersion());
                statement.setInt(4, r.digit());
                statement.setBytes(5, toBytes(r.probabilities()));
                statement.setBytes(6, r.input());
                statement.setObject(7, r.label());
                dialect.setInstant(statement, 8, r.labelledAt());
                statement.setString(9, r.verdict() == null ? null : r.verdict().json());
                statement.setString(10, r.number());
                statement.addBatch();
            }
            statement.executeBatch();
            connection.commit();
        }
    }

    private PredictionRecord read(ResultSet row) throws SQLException {
        int label = row.getInt("label");
        Integer maybeLabel = row.wasNull() ? null : label;
        String verdict = row.getString("verdict");
        return new PredictionRecord(row.getString("id"), dialect.getInstant(row, "created_at"),
                row.getString("model_version"), row.getInt("digit"), toFloats(row.getBytes("probabilities")),
                row.getBytes("input"), maybeLabel, dialect.getInstant(row, "labelled_at"),
                verdict == null ? null : Verdict.of(verdict), row.getString("number"));
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
