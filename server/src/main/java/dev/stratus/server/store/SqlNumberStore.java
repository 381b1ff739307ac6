package dev.stratus.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The embedded store's numbers: a table of their own ({@code numbers}, the digits in one column
 * as {@link NumberDigits}) and a history of corrections ({@code number_label_changes}), created
 * beside the predictions' tables in the same file, so that a data directory written before
 * numbers existed opens unchanged. It shares {@link SqlPredictionStore}'s connections, its
 * bounded waits and its accounting of failed writes.
 */
final class SqlNumberStore implements NumberStore {
    private static final String COLUMNS = "id, created_at, model_version, number, digits, label, labelled_at";

    private final SqlPredictionStore owner;
    private final SqlDialect dialect;
    private final Guarded reader;

    SqlNumberStore(SqlPredictionStore owner, SqlDialect dialect, Guarded reader) {
        this.owner = owner;
        this.dialect = dialect;
        this.reader = reader;
    }

    /** Statements that create whatever is missing of the numbers' schema. */
    static List<String> schema(SqlDialect d) {
        String id = d.text(64);
        String number = d.text(NumberDigits.MAX_DIGITS);
        return List.of("CREATE TABLE IF NOT EXISTS numbers (id " + id + " PRIMARY KEY, created_at " + d.instant()
                        + " NOT NULL, model_version " + d.text(200) + " NOT NULL, number " + number
                        + " NOT NULL, digits " + d.bytes(NumberDigits.MAX_BYTES) + " NOT NULL, label " + number
                        + ", labelled_at " + d.instant() + ")",
                "CREATE INDEX IF NOT EXISTS numbers_labelled ON numbers(labelled_at)",
                "CREATE TABLE IF NOT EXISTS number_label_changes (number_id " + id + " NOT NULL, label " + number
                        + " NOT NULL, changed_at " + d.instant() + " NOT NULL, client "
                        + d.text(LabelChange.MAX_CLIENT_LENGTH) + " NOT NULL)",
                "CREATE INDEX IF NOT EXISTS number_label_changes_number ON number_label_changes(number_id)");
    }

    /** Ids are fresh in embedded mode: a record written again replaces the first copy, as predictions do. */
    @Override
    public List<NumberRecord> saveAll(List<NumberRecord> records) {
        if (records.isEmpty()) {
            return records;
        }
        owner.writing("save " + records.size() + " number(s)", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    dialect.upsert("numbers", COLUMNS, "?, ?, ?, ?, ?, ?, ?"))) {
                for (NumberRecord r : records) {
                    statement.setString(1, r.id());
                    dialect.setInstant(statement, 2, r.createdAt());
                    statement.setString(3, r.modelVersion());
                    statement.setString(4, r.number());
                    statement.setBytes(5, NumberDigits.encode(r.digits()));
                    statement.setString(6, r.label());
                    dialect.setInstant(statement, 7, r.labelledAt());
                    statement.addBatch();
                }
                statement.executeBatch();
                connection.commit();
            }
            return null;
        });
        return records;
    }

    @Override
    public Optional<NumberRecord> find(String id) {
        return reader.use("read number " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT * FROM numbers WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(read(row)) : Optional.empty();
                }
            }
        });
    }

    /** The label is checked against the stored number before anything is written. */
    @Override
    public Optional<NumberRecord> label(String id, NumberLabel change) {
        Optional<NumberRecord> current = find(id);
        if (current.isEmpty()) {
            return current;
        }
        NumberRecord labelled = current.get().withLabel(change.label(), change.at());
        owner.writing("label number " + id, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE numbers SET label = ?, labelled_at = ? WHERE id = ?");
                 PreparedStatement history = connection.prepareStatement(
                         "INSERT INTO number_label_changes (number_id, label, changed_at, client) VALUES (?, ?, ?, ?)")) {
                update.setString(1, change.label());
                dialect.setInstant(update, 2, change.at());
                update.setString(3, id);
                update.executeUpdate();
                history.setString(1, id);
                history.setString(2, change.label());
                dialect.setInstant(history, 3, change.at());
                history.setString(4, change.client());
                history.executeUpdate();
                connection.commit();
            }
            return null;
        });
        return Optional.of(labelled);
    }

    @Override
    public List<NumberLabel> labelHistory(String id) {
        return reader.use("read the label history of number " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT label, changed_at, client FROM "
                    + "number_label_changes WHERE number_id = ? ORDER BY changed_at, " + dialect.insertionOrder())) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    List<NumberLabel> changes = new ArrayList<>();
                    while (rows.next()) {
                        changes.add(new NumberLabel(rows.getString("label"), dialect.getInstant(rows, "changed_at"),
                                rows.getString("client")));
                    }
                    return changes;
                }
            }
        });
    }

    @Override
    public void forEachLabelled(Consumer<NumberRecord> action) {
        reader.use("read labelled numbers", connection -> {
            try (Statement select = connection.createStatement();
                 ResultSet rows = select.executeQuery(
                         "SELECT * FROM numbers WHERE label IS NOT NULL ORDER BY labelled_at, id")) {
                while (rows.next()) {
                    action.accept(read(rows));
                }
            }
            return null;
        });
    }

    private NumberRecord read(ResultSet row) throws SQLException {
        try {
            return new NumberRecord(row.getString("id"), dialect.getInstant(row, "created_at"),
                    row.getString("model_version"), NumberDigits.decode(row.getBytes("digits")), row.getString("label"),
                    dialect.getInstant(row, "labelled_at"));
        } catch (IllegalArgumentException e) {
            throw new SQLException("number " + row.getString("id") + " is malformed: " + e.getMessage(), e);
        }
    }
}
