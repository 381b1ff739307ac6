package dev.stratus.server.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * What differs between the embedded databases {@link SqlPredictionStore} runs on: how a file is
 * opened, the schema's types, how a row is written again, and how a time is kept. Everything
 * else (transactions, bounded waits, readiness) is the store's.
 */
interface SqlDialect {

    /** The database's name in messages. */
    String name();

    /** A new connection to the database in {@code directory}, configured for durable commits. */
    Connection connect(Path directory) throws SQLException;

    /** Whether {@code directory} already holds a database of this kind. */
    boolean existsIn(Path directory);

    /** The column type of text of at most {@code max} characters. */
    String text(int max);

    /** The column type of bytes, at most {@code max} of them. */
    String bytes(int max);

    /** The column type of a small whole number (a digit). */
    String smallInt();

    /** The column type of an instant, as {@link #setInstant} writes it. */
    String instant();

    /** {@code INSERT} of all columns that replaces a row with the same id instead of failing. */
    String upsert(String table, String columns, String values);

    /** Whether {@code e} says the row's key is taken. */
    boolean isDuplicateKey(SQLException e);

    /** The hidden column that orders a table's rows as they were inserted. */
    String insertionOrder();

    /** A statement that writes one row of {@code store_probe}, to see whether writes work. */
    String probe();

    void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException;

    /** The instant in {@code column}, or null. */
    Instant getInstant(ResultSet row, String column) throws SQLException;
}
