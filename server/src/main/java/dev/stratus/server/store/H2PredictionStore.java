package dev.stratus.server.store;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.h2.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: an H2 database file. Saves go to a writer thread that inserts them in
 * batches of up to a few hundred per transaction (one insert per request would cap throughput);
 * until a record is on disk it is served from memory, so a read right after a save finds it.
 */
public final class H2PredictionStore implements PredictionStore {
    private static final Logger LOG = LoggerFactory.getLogger(H2PredictionStore.class);
    private static final int WRITE_BATCH = 500;
    private static final String COLUMNS = "id, created_at, model_version, digit, probabilities, input, label, labelled_at";
    private static final String INSERT = "INSERT INTO predictions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String MERGE = "MERGE INTO predictions (" + COLUMNS + ") KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    private final Connection connection;
    private final BlockingQueue<PredictionRecord> writes = new ArrayBlockingQueue<>(50_000);
    private final Map<String, PredictionRecord> pending = new ConcurrentHashMap<>();
    private final Thread writer;
    private volatile boolean running = true;

    private H2PredictionStore(Connection connection) {
        this.connection = connection;
        this.writer = new Thread(this::writeLoop, "store-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Opens (or creates) the store in {@code directory}. */
    public static H2PredictionStore open(Path directory) {
        try {
            Files.createDirectories(directory);
            String url = "jdbc:h2:file:" + directory.toAbsolutePath().resolve("predictions")
                    + ";DB_CLOSE_ON_EXIT=FALSE";
            Connection connection = DriverManager.getConnection(url, "stratus", "");
            try (Statement statement = connection.createStatement()) {
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
            }
            return new H2PredictionStore(connection);
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open the prediction store in " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(PredictionRecord record) {
        pending.put(record.id(), record);
        if (!writes.offer(record)) {
            pending.remove(record.id());
            throw new StoreException("the store is " + writes.size() + " records behind; not accepting more", null);
        }
    }

    @Override
    public Optional<PredictionRecord> find(String id) {
        PredictionRecord inMemory = pending.get(id);
        if (inMemory != null) {
            return Optional.of(inMemory);
        }
        synchronized (connection) {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT * FROM predictions WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(read(row)) : Optional.empty();
                }
            } catch (SQLException e) {
                throw new StoreException("cannot read prediction " + id + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<PredictionRecord> label(String id, int label) {
        flush();
        Instant now = Instant.now();
        synchronized (connection) {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE predictions SET label = ?, labelled_at = ? WHERE id = ?")) {
                update.setInt(1, label);
                update.setTimestamp(2, Timestamp.from(now));
                update.setString(3, id);
                if (update.executeUpdate() == 0) {
                    return Optional.empty();
                }
            } catch (SQLException e) {
                throw new StoreException("cannot label prediction " + id + ": " + e.getMessage(), e);
            }
        }
        return find(id);
    }

    @Override
    public void forEachLabelled(Consumer<PredictionRecord> action) {
        flush();
        synchronized (connection) {
            try (Statement select = connection.createStatement();
                 ResultSet rows = select.executeQuery(
                         "SELECT * FROM predictions WHERE label IS NOT NULL ORDER BY labelled_at, id")) {
                while (rows.next()) {
                    action.accept(read(rows));
                }
            } catch (SQLException e) {
                throw new StoreException("cannot read labelled predictions: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public boolean ready() {
        return running && writer.isAlive() && writes.remainingCapacity() > 0;
    }

    /** Waits until every saved record is on disk. */
    public void flush() {
        while (!pending.isEmpty() && writer.isAlive()) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeLoop() {
        List<PredictionRecord> batch = new ArrayList<>(WRITE_BATCH);
        while (running || !writes.isEmpty()) {
            try {
                PredictionRecord first = writes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                writes.drainTo(batch, WRITE_BATCH - 1);
                insert(batch);
                batch.forEach(r -> pending.remove(r.id(), r));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException e) {
                // Keep the records in memory and try again: nothing acknowledged is dropped.
                LOG.error("writing {} predictions failed; retrying: {}", batch.size(), e.getMessage());
                writes.addAll(batch.subList(0, Math.min(batch.size(), writes.remainingCapacity())));
                sleepQuietly();
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Writes a batch in one transaction. A plain INSERT costs about half of a MERGE, which looks
     * each key up first; ids are fresh, so a clash means a batch is being written again after a
     * failure, and then the whole batch goes again as a MERGE, which overwrites instead of failing.
     */
    private void insert(List<PredictionRecord> batch) throws SQLException {
        try {
            write(batch, INSERT);
        } catch (SQLException e) {
            if (e.getErrorCode() != ErrorCode.DUPLICATE_KEY_1) {
                throw e;
            }
            write(batch, MERGE);
        }
    }

    private void write(List<PredictionRecord> batch, String sql) throws SQLException {
        synchronized (connection) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
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
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
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

    private static void sleepQuietly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (connection) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.warn("closing the prediction store: {}", e.getMessage());
            }
        }
    }
}
