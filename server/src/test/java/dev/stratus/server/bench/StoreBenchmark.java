package dev.stratus.server.bench;

import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.server.predict.PredictionIds;
import dev.stratus.server.store.PredictionRecord;
import dev.stratus.server.store.SqlPredictionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedded store under a stream of new predictions, on SQLite and on H2: wall time per record from {@code saveAll}
 * to committed in the file, saved one at a time or in micro-batches as the pipeline saves them,
 * with random (version-4) or time-ordered (version-7, what the server uses) ids. The database
 * grows through the run, as it does in a server.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(StoreBenchmark.RECORDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class StoreBenchmark {
    static final int RECORDS = 5_000;

    @Param({"random", "timeOrdered"})
    public String ids;

    @Param({"1", "64"})
    public int batch;

    /** SQLite (the store since December 2026, page cache native) or H2 (before; page cache on the heap). */
    @Param({"SQLite", "H2"})
    public String database;

    private Path dir;
    private SqlPredictionStore store;
    private PredictionRecord[] templates;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("stratus-store-bench");
        store = "H2".equals(database) ? SqlPredictionStore.openH2(dir) : SqlPredictionStore.open(dir);
        LabeledImages digits = BenchDigits.load();
        templates = new PredictionRecord[100];
        for (int i = 0; i < templates.length; i++) {
            templates[i] = BenchDigits.record("template", "stratus-bench", digits.label(i), BenchDigits.pixels(digits, i));
        }
    }

    @Benchmark
    public void save() {
        List<PredictionRecord> records = new ArrayList<>(batch);
        for (int i = 0; i < RECORDS; i++) {
            PredictionRecord t = templates[i % templates.length];
            String id = "random".equals(ids) ? UUID.randomUUID().toString() : PredictionIds.next();
            records.add(new PredictionRecord(id, Instant.now(), t.modelVersion(), t.digit(), t.probabilities(),
                    t.input(), null, null));
            if (records.size() == batch) {
                store.saveAll(records);
                records.clear();
            }
        }
        store.saveAll(records);
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
