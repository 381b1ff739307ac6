package dev.stratus.server.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.h2.api.ErrorCode;

/**
 * H2's file database ({@code predictions.mv.db}): the embedded store until December 2026, kept
 * so that a data directory written then is still served. Its page cache lives on the Java heap.
 */
final class H2Dialect implements SqlDialect {
    static final String FILE = "predictions.mv.db";

    @Override
    public String name() {
        return "H2";
    }

    @Override
    public Connection connect(Path directory) throws SQLException {
        // WRITE_DELAY=0: a commit is in the file (the operating system's cache) when commit()
        // returns. With H2's default of 500 ms a kill -9 lost every commit of the last half second.
        return DriverManager.getConnection("jdbc:h2:file:" + directory.toAbsolutePath().resolve("predictions")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "stratus", "");
    }

    @Override
    public boolean existsIn(Path directory) {
        return Files.exists(directory.resolve(FILE));
    }

    @Override
    public String text(int max) {
        return "VARCHAR(" + max + ")";
    }

    @Override
    public String bytes(int max) {
        return "VARBINARY(" + max + ")";
    }

    @Override
    public String smallInt() {
        return "TINYINT";
    }

    @Override
    public String instant() {
        return "TIMESTAMP WITH TIME ZONE";
    }

    @Override
    public String upsert(String table, String columns, String values) {
        return "MERGE INTO " + table + " (" + columns + ") KEY (id) VALUES (" + values + ")";
    }

    @Override
    public boolean isDuplicateKey(SQLException e) {
        return e.getErrorCode() == ErrorCode.DUPLICATE_KEY_1;
    }

    @Override
    public String insertionOrder() {
        return "_ROWID_";
    }

    @Override
    public String probe() {
        return "MERGE INTO store_probe (id, at) KEY (id) VALUES (1, CURRENT_TIMESTAMP)";
    }

    @Override
    public void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setTimestamp(index, instant == null ? null : Timestamp.from(instant));
    }

    @Override
    public Instant getInstant(ResultSet row, String column) throws SQLException {
        Timestamp at = row.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }
}
