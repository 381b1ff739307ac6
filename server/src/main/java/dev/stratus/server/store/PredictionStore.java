package dev.stratus.server.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where predictions are recorded: an embedded file-backed database here, CouchDB in distributed
 * mode. A save returns once its records are durable (committed to the file, or acknowledged by
 * CouchDB), or throws {@link StoreException}; so whatever is answered after a save is stored,
 * and {@link #find} sees it. No call waits without a bound.
 */
public interface PredictionStore extends AutoCloseable {

    void save(PredictionRecord record);

    /**
     * Saves a micro-batch, durably, and returns the records as stored, in the same order: for an
     * id stored before (a redelivered request) that is the earlier record, which is then the
     * answer, so that an answer always equals its record. Backends with a bulk API override this
     * with one round trip.
     */
    default List<PredictionRecord> saveAll(List<PredictionRecord> records) {
        records.forEach(this::save);
        return records;
    }

    Optional<PredictionRecord> find(String id);

    /**
     * Records the user's correct digit and appends the change to the prediction's label history,
     * in one write; empty when the id is unknown.
     */
    Optional<PredictionRecord> label(String id, LabelChange change);

    /** Every label given to this prediction, oldest first; empty for an unknown id or none given. */
    List<LabelChange> labelHistory(String id);

    /** Every prediction that carries a user's label, oldest first. */
    void forEachLabelled(Consumer<PredictionRecord> action);

    /** The numbers read from whole images, kept by the same backend. */
    NumberStore numbers();

    boolean ready();

    @Override
    void close();
}
