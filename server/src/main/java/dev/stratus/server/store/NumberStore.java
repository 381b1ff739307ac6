package dev.stratus.server.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where numbers are recorded, beside the predictions of the same {@link PredictionStore} (its
 * {@link PredictionStore#numbers()}): same durability, same bounded waits, same
 * {@link StoreException} on failure.
 */
public interface NumberStore {

    /**
     * Saves durably and returns the records as stored, in order: for an id stored before (a
     * redelivered request) the earlier record, which is then the answer.
     */
    List<NumberRecord> saveAll(List<NumberRecord> records);

    Optional<NumberRecord> find(String id);

    /** Records the user's correction of the whole number and appends it to its history; empty for an unknown id. */
    Optional<NumberRecord> label(String id, NumberLabel change);

    /** Every correction of this number, oldest first. */
    List<NumberLabel> labelHistory(String id);

    /** Every number that carries a user's label, oldest label first. */
    void forEachLabelled(Consumer<NumberRecord> action);
}
