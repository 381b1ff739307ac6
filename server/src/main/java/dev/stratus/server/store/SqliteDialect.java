package dev.stratus.server.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite ({@code predictions.sqlite}), the embedded store: its page cache is native memory, so
 * the Java heap holds only what a request is using (H2's on-heap cache made every young
 * collection scan it). Write-ahead log with {@code synchronous=NORMAL}: a commit is in the log
 * (the operating system's cache) when it returns, so it survives a kill -9 of the process, as
 * H2 with {@code WRITE_DELAY=0} did; readers never wait for the writer. Times are whole
 * microseconds since the epoch.
 */
final class SqliteDialect implements SqlDialect {
    static final String FILE = "predictions.sqlite";
    /** How long a connection waits for another's lock before its statement fails. */
    private static final int BUSY_TIMEOUT_MS = (int) SqlPredictionStore.WAIT.toMillis();

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    public Connection connect(Path directory) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config.createConnection("jdbc:sqlite:" + directory.toAbsolutePath().resolve(FILE));
    }

    @Override
    public boolean existsIn(Path directory) {
        return Files.exists(directory.resolve(FILE));
    }

    @Override
    public String text(int max) {
        return "TEXT";
    }

    @Override
    public String bytes(int max) {
        return "BLOB";
    }

    @Override
    public String smallInt() {
        return "INTEGER";
    }

    /** Whole microseconds since the epoch. */
    @Override
    public String instant() {
        return "INTEGER";
    }

    @Override
    public String upsert(String table, String columns, String values) {
        return "INSERT OR REPLACE INTO " + table + " (" + columns + ") VALUES (" + values + ")";
    }

    @Override
    public boolean isDuplicateKey(SQLException e) {
        return e instanceof SQLiteException s && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
                || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
    }

    @Override
    public String insertionOrder() {
        return "rowid";
    }

    @Override
    public String probe() {
        return "INSERT OR REPLACE INTO store_probe (id, at) VALUES (1, CAST(strftime('%s', 'now') AS INTEGER) * 1000000)";
    }

    @Override
    public void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, ChronoUnit.MICROS.between(Instant.EPOCH, instant));
        }
    }

    @Override
    public Instant getInstant(ResultSet row, String column) throws SQLException {
        long micros = row.getLong(column);
        return row.wasNull() ? null : Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}
