package dev.stratus.core.model.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stratus.core.config.EnvVar;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.ModelLoadException;
import dev.stratus.core.model.OnnxClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of versioned models and the state that says which of them serves. Each version is
 * a model directory of the contract ({@code versions/VERSION/model.onnx} and its card) and never
 * changes once added; what changes is {@code registry.json} ({@link RegistryState}), rewritten
 * whole under a file lock and renamed into place, so a reader (a gateway, a worker, the
 * command line) always sees one complete state. An empty registry starts with the shipped model.
 */
public final class ModelRegistry {
    public static final EnvVar VARIABLE = new EnvVar("STRATUS_MODELS",
            "Model registry directory (versions/VERSION/ and registry.json).", "~/.local/share/stratus/models");
    static final String STATE_FILE = "registry.json";
    static final String VERSIONS = "versions";
    static final String SMOKE = "smoke-sample";
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,79}");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path root;
    private final Clock clock;

    private ModelRegistry(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    /** {@code ~/.local/share/stratus/models}. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".local", "share", "stratus", "models");
    }

    /** The registry a command uses: its flag, else {@code $STRATUS_MODELS}, else {@link #defaultDirectory()}. */
    public static Path directory(Path flag, Path fromEnvironment) {
        return flag != null ? flag : fromEnvironment != null ? fromEnvironment : defaultDirectory();
    }

    /** The registry in {@code root}, made with the shipped model as its first version when empty. */
    public static ModelRegistry open(Path root) throws IOException {
        return open(root, Clock.systemUTC());
    }

    static ModelRegistry open(Path root, Clock clock) throws IOException {
        ModelRegistry registry = new ModelRegistry(root, clock);
        Files.createDirectories(root.resolve(VERSIONS));
        if (!Files.exists(registry.stateFile())) {
            try {
                registry.locked(() -> Files.exists(registry.stateFile()) ? null : registry.importShipped());
            } catch (RegistryException e) {
                throw new IOException("the shipped model cannot start the registry in " + root + ": " + e.getMessage(), e);
            }
        }
        return registry;
    }

    public Path root() {
        return root;
    }

    /** The state as last written. */
    public RegistryState state() throws IOException {
        try (InputStream in = Files.newInputStream(stateFile())) {
            return JSON.readValue(in, RegistryState.class);
        } catch (IOException e) {
            throw new IOException(stateFile() + ": cannot read the registry state (" + e.getMessage() + ")", e);
        }
    }

    /** A registered version: its directory, its card and what it does now. */
    public record Entry(String version, Path directory, ModelCard card, RegistryState.Role role) {
    }

    /** Every registered version, oldest first. */
    public List<Entry> list() throws IOException {
        RegistryState state = state();
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root.resolve(VERSIONS))) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String version = dir.getFileName().toString();
                if (VERSION.matcher(version).matches()) {
                    entries.add(new Entry(version, dir, card(dir), state.roleOf(version)));
                }
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> String.valueOf(e.card().createdAt())).thenComparing(Entry::version));
        return entries;
    }

    /** The version, or a refusal naming the versions there are. */
    public Entry entry(String version) throws IOException, RegistryException {
        Path dir = versionDirectory(version);
        if (!Files.isDirectory(dir)) {
            throw new RegistryException("no version " + version + " in " + root + "; there are: "
                    + String.join(", ", list().stream().map(Entry::version).toList()));
        }
        return new Entry(version, dir, card(dir), state().roleOf(version));
    }

    /** Loads a registered version for serving. */
    public Model load(String version, OnnxClassifier.Threads threads) throws IOException, RegistryException {
        try {
            return Model.load(entry(version).directory(), threads);
        } catch (ModelLoadException e) {
            throw new RegistryException(version + ": cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * Adds the model in {@code source} under its card's version, if it loads as the contract
     * says and passes {@code smoke}; it does not serve until promoted. Returns what the check found.
     */
    public SmokeTest.Result add(Path source, SmokeTest smoke) throws IOException, RegistryException {
        Model model;
        try {
            model = Model.load(source, OnnxClassifier.Threads.SINGLE);
        } catch (ModelLoadException e) {
            throw new RegistryException("refused: " + e.getMessage(), e);
        }
        try (model) {
            String version = checkedVersion(model.card().version(), source);
            SmokeTest.Result result = smoke.check(model);
            if (!result.passed()) {
                throw new RegistryException("refused: " + result.message());
            }
            return locked(() -> {
                Path target = versionDirectory(version);
                if (Files.exists(target)) {
                    throw new RegistryException("refused: version " + version + " is already registered (" + target + ")");
                }
                Path part = root.resolve(VERSIONS).resolve("." + version + ".part");
                deleteTree(part);
                Files.createDirectories(part);
                try (Stream<Path> files = Files.list(source)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(file, part.resolve(file.getFileName()));
                    }
                }
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                write(state().logged(event("add", version, result.message())));
                return result;
            });
        }
    }

    /** Makes {@code version} the one that answers; the one before becomes the rollback target. */
    public RegistryState promote(String version) throws IOException, RegistryException {
        return change(version, "promote", state -> {
            if (version.equals(state.active())) {
                throw new RegistryException(version + " is already the active version");
            }
            return state.withActive(version);
        });
    }

    /** Makes the version before the active one active again. */
    public RegistryState rollback() throws IOException, RegistryException {
        String previous = state().previous();
        if (previous == null) {
            throw new RegistryException("nothing to roll back to: no version was active before " + state().active());
        }
        return promote(previous);
    }

    /** Sends {@code share} of the requests to {@code version}; null stops the canary. */
    public RegistryState canary(String version, double share) throws IOException, RegistryException {
        if (version == null) {
            return changeState("canary-off", null, state -> state.withCanary(null));
        }
        RegistryState.Canary canary = new RegistryState.Canary(version, share);
        return change(version, "canary", state -> {
            requireNotActive(state, version, "a canary");
            return state.withCanary(canary);
        });
    }

    /** Has {@code version} classify a copy of every request; null stops the shadow. */
    public RegistryState shadow(String version) throws IOException, RegistryException {
        if (version == null) {
            return changeState("shadow-off", null, state -> state.withShadow(null));
        }
        return change(version, "shadow", state -> {
            requireNotActive(state, version, "a shadow");
            return state.withShadow(version);
        });
    }

    /** Takes {@code version} out of service for good; the active version cannot be retired. */
    public RegistryState retire(String version) throws IOException, RegistryException {
        return change(version, "retire", state -> {
            requireNotActive(state, version, "retired");
            return state.withRetired(version);
        });
    }

    /** The digits the smoke test runs on, once {@link #keepSmokeSample} stored them. */
    public Optional<SmokeTest> smokeTest() throws IOException {
        Path images = root.resolve(SMOKE).resolve("images.idx");
        Path labels = root.resolve(SMOKE).resolve("labels.idx");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            return Optional.empty();
        }
        return Optional.of(new SmokeTest(Idx.read(images, labels), SmokeTest.TOLERANCE));
    }

    /**
     * Stores the smoke test's digits beside the versions, so that gateways and workers check a
     * model before serving it without the MNIST files (the product ships none).
     */
    public SmokeTest keepSmokeSample(SmokeTest smoke) throws IOException {
        Path dir = root.resolve(SMOKE);
        Files.createDirectories(dir);
        LabeledImages sample = smoke.sample();
        Idx.writeImages(dir.resolve("images.idx"), sample.rows(), sample.cols(), sample.pixels());
        Idx.writeLabels(dir.resolve("labels.idx"), sample.labels());
        return smoke;
    }

    private interface Change {
        RegistryState apply(RegistryState state) throws RegistryException;
    }

    private interface Locked<T> {
        T run() throws IOException, RegistryException;
    }

    private RegistryState change(String version, String action, Change change) throws IOException, RegistryException {
        Entry entry = entry(version);
        if (entry.role() == RegistryState.Role.RETIRED) {
            throw new RegistryException(version + " is retired; add it again under a new version to serve it");
        }
        return changeState(action, version, change);
    }

    private RegistryState changeState(String action, String version, Change change) throws IOException, RegistryException {
        return locked(() -> {
            RegistryState next = change.apply(state()).logged(event(action, version, null));
            write(next);
            return next;
        });
    }

    private static void requireNotActive(RegistryState state, String version, String what) throws RegistryException {
        if (version.equals(state.active())) {
            throw new RegistryException(version + " is the active version; it cannot be " + what);
        }
    }

    private RegistryState.Event event(String action, String version, String detail) {
        return new RegistryState.Event(clock.instant().toString(), action, version, detail);
    }

    private <T> T locked(Locked<T> work) throws IOException, RegistryException {
        try (FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            return work.run();
        }
    }

    private void write(RegistryState state) throws IOException {
        Path part = root.resolve(STATE_FILE + ".part");
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(state)));
            out.force(true);
        }
        Files.move(part, stateFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Void importShipped() throws IOException, RegistryException {
        String base = ModelContract.DEFAULT_RESOURCE;
        byte[] card = resource(base + ModelContract.CARD_FILE);
        String version = ModelCard.read(new java.io.ByteArrayInputStream(card), "the shipped model card").version();
        Path target = versionDirectory(version);
        if (!Files.exists(target)) {
            Path part = root.resolve(VERSIONS).resolve("." + version + ".part");
            deleteTree(part);
            Files.createDirectories(part);
            Files.write(part.resolve(ModelContract.CARD_FILE), card);
            Files.write(part.resolve(ModelContract.MODEL_FILE), resource(base + ModelContract.MODEL_FILE));
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        }
        write(RegistryState.first(version, clock.instant().toString()));
        return null;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ModelRegistry.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the shipped model is missing from the classpath (" + name + ")");
            }
            return in.readAllBytes();
        }
    }

    private String checkedVersion(String version, Path source) throws RegistryException {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new RegistryException("refused: " + source.resolve(ModelContract.CARD_FILE) + ": its version "
                    + (version == null ? "is missing" : "'" + version + "' is not a name of letters, digits, '.', '_' and '-'"));
        }
        return version;
    }

    private Path versionDirectory(String version) throws RegistryException {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new RegistryException("not a version name: " + version);
        }
        return root.resolve(VERSIONS).resolve(version);
    }

    private static ModelCard card(Path dir) throws IOException {
        return ModelCard.read(dir.resolve(ModelContract.CARD_FILE));
    }

    private Path stateFile() {
        return root.resolve(STATE_FILE);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
