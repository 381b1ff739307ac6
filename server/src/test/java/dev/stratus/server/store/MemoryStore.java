package dev.stratus.server.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** An in-memory store; while {@code down}, every write fails as an unreachable CouchDB would. */
public class MemoryStore implements PredictionStore {
    public final Map<String, PredictionRecord> records = new ConcurrentHashMap<>();
    public volatile boolean down;
    public volatile int failedWrites;
    private final Map<String, List<LabelChange>> history = new ConcurrentHashMap<>();
    public final Map<String, NumberRecord> numberRecords = new ConcurrentHashMap<>();
    private final Map<String, List<NumberLabel>> numberHistory = new ConcurrentHashMap<>();
    private final NumberStore numbers = new NumberStore() {
        @Override
        public List<NumberRecord> saveAll(List<NumberRecord> batch) {
            if (down) {
                failedWrites++;
                throw new StoreException("the store is down", null);
            }
            return batch.stream().map(r -> {
                NumberRecord before = numberRecords.putIfAbsent(r.id(), r);
                return before == null ? r : before;
            }).toList();
        }

        @Override
        public Optional<NumberRecord> find(String id) {
            return Optional.ofNullable(numberRecords.get(id));
        }

        @Override
        public Optional<NumberRecord> label(String id, NumberLabel change) {
            NumberRecord labelled = numberRecords.computeIfPresent(id, (key, r) -> r.withLabel(change.label(), change.at()));
            if (labelled != null) {
                numberHistory.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>()).add(change);
            }
            return Optional.ofNullable(labelled);
        }

        @Override
        public List<NumberLabel> labelHistory(String id) {
            return List.copyOf(numberHistory.getOrDefault(id, List.of()));
        }

        @Override
        public void forEachLabelled(Consumer<NumberRecord> action) {
            numberRecords.values().stream().filter(r -> r.label() != null).forEach(action);
        }
    };

    @Override
    public void save(PredictionRecord record) {
        saveAll(List.of(record));
    }

    /** Keeps the first record of an id, as CouchDB does, and returns what is stored. */
    @Override
    public List<PredictionRecord> saveAll(List<PredictionRecord> batch) {
        if (down) {
            failedWrites++;
            throw new StoreException("the store is down", null);
        }
        return batch.stream().map(r -> {
            PredictionRecord before = records.putIfAbsent(r.id(), r);
            return before == null ? r : before;
        }).toList();
    }

    @Override
    public Optional<PredictionRecord> find(String id) {
        return Optional.ofNullable(records.get(id));
    }

    /** Labels and their history, as the real stores keep them. */
    @Override
    public Optional<PredictionRecord> label(String id, LabelChange change) {
        PredictionRecord labelled = records.computeIfPresent(id, (key, r) -> r.withLabel(change.label(), change.at()));
        if (labelled != null) {
            history.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>()).add(change);
        }
        return Optional.ofNullable(labelled);
    }

    @Override
    public List<LabelChange> labelHistory(String id) {
        return List.copyOf(history.getOrDefault(id, List.of()));
    }

    @Override
    public void forEachLabelled(Consumer<PredictionRecord> action) {
    }

    @Override
    public NumberStore numbers() {
        return numbers;
    }

    @Override
    public boolean ready() {
        return !down;
    }

    @Override
    public void close() {
    }
}
