package dev.stratus.server.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link MemoryStore} that counts the reads and labels asked of it by id. */
public class CountingStore extends MemoryStore {
    public final AtomicInteger calls = new AtomicInteger();

    @Override
    public Optional<PredictionRecord> find(String id) {
        calls.incrementAndGet();
        return super.find(id);
    }

    @Override
    public Optional<PredictionRecord> label(String id, LabelChange change) {
        calls.incrementAndGet();
        return super.label(id, change);
    }

    @Override
    public List<LabelChange> labelHistory(String id) {
        calls.incrementAndGet();
        return super.labelHistory(id);
    }
}
