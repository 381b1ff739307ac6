package dev.stratus.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.server.store.CouchDbSettings.Backoff;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CouchDB store against a real CouchDB-API server: pouchdb-server on a free loopback port. */
class CouchDbPredictionStoreTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200));
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static PouchDb server;

    @BeforeAll
    static void startServer() {
        server = PouchDb.start(dir.resolve("shared"), freePort());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Settings for a database of its own, so that tests sharing the server do not meet. */
    private static CouchDbSettings freshDatabase() {
        return new CouchDbSettings(URI.create(server.url()), "test-" + DATABASES.incrementAndGet(), null, null,
                Duration.ofSeconds(10), 2);
    }

    @Test
    void saved_predictions_read_back_with_every_field() {
        PredictionRecord plain = precise("a b/c?d+é#1", 4, new Random(1));
        PredictionRecord labelled = precise("labelled", 9, new Random(2))
                .withLabel(3, Instant.parse("2025-06-02T08:00:00.000000001Z"));
        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(freshDatabase(), FAST)) {
            store.save(plain);
            store.save(labelled);

            assertThat(store.find(plain.id())).contains(plain);
            assertThat(store.find(labelled.id())).contains(labelled);
            assertThat(store.find("missing")).isEmpty();
            assertThat(store.ready()).isTrue();
        }
    }

    @Test
    void saving_a_prediction_again_keeps_one_document_and_its_label() throws Exception {
        CouchDbSettings settings = freshDatabase();
        PredictionRecord x = SqlPredictionStoreTest.record("x", 1, 1);
        PredictionRecord y = SqlPredictionStoreTest.record("y", 2, 2);
        PredictionRecord z = SqlPredictionStoreTest.record("z", 3, 3);
        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(settings, FAST)) {
            store.save(x);
            store.save(x);
            PredictionRecord labelled = store.label("x", TestLabels.now(6)).orElseThrow();
            // Redelivered messages: they must neither fail nor undo the user's label.
            store.save(x);
            store.saveAll(List.of(y, x, y, z));
            store.saveAll(List.of(z, y));
            store.saveAll(List.of());

            assertThat(storedIds(settings)).containsExactly("x", "y", "z");
            assertThat(store.find("x")).contains(labelled);
        }
    }

    @Test
    void labels_are_recorded_and_listed_oldest_first_and_unknown_ids_are_empty() {
        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(freshDatabase(), FAST)) {
            store.saveAll(List.of(SqlPredictionStoreTest.record("x", 1, 1), SqlPredictionStoreTest.record("y", 2, 2),
                    SqlPredictionStoreTest.record("z", 3, 3)));

            PredictionRecord labelled = store.label("y", TestLabels.now(7)).orElseThrow();
            assertThat(labelled.label()).isEqualTo(7);
            assertThat(labelled.labelledAt()).isNotNull();
            assertThat(store.find("y")).contains(labelled);
            store.label("x", TestLabels.now(4));
            assertThat(store.label("unknown", TestLabels.now(1))).isEmpty();
            assertThatThrownBy(() -> store.label("y", TestLabels.now(10))).isInstanceOf(IllegalArgumentException.class);

            assertThat(labelledIds(store)).containsExactly("y=7", "x=4");
            assertThat(store.find("y")).contains(labelled);
            assertThat(store.find("z").orElseThrow().label()).isNull();
            assertThat(store.labelHistory("y")).extracting(LabelChange::label).containsExactly(7);
            assertThat(store.labelHistory("z")).isEmpty();
            assertThat(store.labelHistory("unknown")).isEmpty();
        }
    }

    @Test
    void each_label_change_is_kept_in_the_document_with_its_time_and_client() {
        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(freshDatabase(), FAST)) {
            store.save(SqlPredictionStoreTest.record("h", 1, 1));
            Instant first = Instant.parse("2026-01-01T10:00:00Z");
            store.label("h", new LabelChange(3, first, "192.0.2.1"));
            store.label("h", new LabelChange(8, first.plusSeconds(5), "192.0.2.2"));

            assertThat(store.labelHistory("h")).containsExactly(new LabelChange(3, first, "192.0.2.1"),
                    new LabelChange(8, first.plusSeconds(5), "192.0.2.2"));
            assertThat(store.find("h").orElseThrow().label()).isEqualTo(8);
            assertThat(store.labelHistory("_all_docs")).isEmpty();
        }
    }

    @Test
    void listing_pages_through_many_labels_including_equal_times() {
        // Groups of 7 equal times straddle the store's pages of 200.
        Instant base = Instant.parse("2025-01-01T00:00:00Z");
        List<PredictionRecord> records = IntStream.range(0, 450)
                .mapToObj(i -> SqlPredictionStoreTest.record(String.format("r-%04d", 449 - i), i % 10, i)
                        .withLabel(i % 10, base.plusMillis(i / 7)))
                .toList();
        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(freshDatabase(), FAST)) {
            store.saveAll(records);
            store.save(SqlPredictionStoreTest.record("unlabelled", 0, 0));

            List<PredictionRecord> listed = new ArrayList<>();
            store.forEachLabelled(listed::add);

            // Equal times come in id order, as in the H2 store.
            List<PredictionRecord> expected = records.stream().sorted(Comparator
                    .comparing(PredictionRecord::labelledAt).thenComparing(PredictionRecord::id)).toList();
            assertThat(listed).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void opening_creates_the_database_and_opening_again_is_fine() throws Exception {
        CouchDbSettings settings = freshDatabase();
        assertThat(get(settings, "").statusCode()).isEqualTo(404);

        try (CouchDbPredictionStore store = CouchDbPredictionStore.open(settings, FAST)) {
            store.save(SqlPredictionStoreTest.record("kept", 8, 8));
        }
        assertThat(get(settings, "").statusCode()).isEqualTo(200);
        try (CouchDbPredictionStore again = CouchDbPredictionStore.open(settings, FAST)) {
            assertThat(again.find("kept")).isPresent();
        }
    }

    @Test
    void a_store_with_no_server_fails_after_its_retries_with_a_clear_message() {
        String url = "http://127.0.0.1:" + freePort();
        CouchDbSettings settings = new CouchDbSettings(URI.create(url), "predictions", "stratus", "s3cret-pw",
                Duration.ofSeconds(1), 2);

        assertThatThrownBy(() -> CouchDbPredictionStore.open(settings, FAST))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("CouchDB at " + url)
                .hasMessageContaining("create database predictions after 3 attempts")
                .hasMessageNotContaining("s3cret-pw");
    }

    @Test
    void wrong_credentials_fail_at_once_with_the_servers_reason() {
        CouchDbSettings settings = freshDatabase();
        CouchDbSettings wrong = new CouchDbSettings(settings.url(), settings.database(), "nobody", "wrong-pw",
                Duration.ofSeconds(5), 3);

        // That a 4xx is not retried is counted in CouchDbRetryTest; here, the real server's answer.
        assertThatThrownBy(() -> CouchDbPredictionStore.open(wrong, FAST))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("refused to read database " + settings.database() + ": 401")
                .hasMessageNotContaining("wrong-pw");
    }

    @Test
    void basic_authentication_uses_the_credentials_from_the_environment() throws Exception {
        // A server of its own: once it has an admin, pouchdb-server 4.2.0 crashes when an
        // anonymous client asks to create a database, which the other tests do.
        try (PouchDb secured = PouchDb.start(dir.resolve("secured"), freePort())) {
            HttpRequest addAdmin = HttpRequest.newBuilder(URI.create(secured.url() + "/_config/admins/stratus"))
                    .PUT(HttpRequest.BodyPublishers.ofString("\"good-pw\"")).build();
            assertThat(HTTP.send(addAdmin, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            CouchDbSettings settings = CouchDbSettings.fromEnvironment(Map.of(CouchDbSettings.USER_VARIABLE,
                    "stratus", CouchDbSettings.PASSWORD_VARIABLE, "good-pw"), secured.url());
            PredictionRecord record = SqlPredictionStoreTest.record("secret", 4, 4);

            try (CouchDbPredictionStore store = CouchDbPredictionStore.open(settings, FAST)) {
                store.save(record);
                assertThat(store.label("secret", TestLabels.now(5))).isPresent();
                assertThat(store.find("secret").orElseThrow().label()).isEqualTo(5);
            }
        }
    }

    @Test
    void a_save_retries_until_a_stopped_server_is_back() throws Exception {
        Path data = dir.resolve("restarted");
        int port = freePort();
        // Up to ~60 s of retries, so that a slow restart on a busy machine is still waited for.
        CouchDbSettings settings = new CouchDbSettings(URI.create("http://127.0.0.1:" + port), "restarted", null,
                null, Duration.ofSeconds(10), 60);
        Backoff patient = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
        PouchDb restarted = null;
        try (PouchDb first = PouchDb.start(data, port);
             CouchDbPredictionStore store = CouchDbPredictionStore.open(settings, patient);
             CouchDbPredictionStore impatient = CouchDbPredictionStore.open(new CouchDbSettings(settings.url(),
                     settings.database(), null, null, Duration.ofSeconds(10), 0), FAST)) {
            first.close();
            assertThatThrownBy(() -> impatient.find("any")).isInstanceOf(StoreException.class);
            assertThat(impatient.ready()).isFalse();

            // The save starts while the port only drops connections, and the server comes back once
            // the store has been turned away twice: it can only succeed through its retries.
            CompletableFuture<Void> save;
            PredictionRecord record = SqlPredictionStoreTest.record("during-restart", 7, 7);
            try (Doorman doorman = Doorman.on(port)) {
                save = CompletableFuture.runAsync(() -> store.save(record));
                doorman.awaitTurnedAway(2);
            }
            restarted = PouchDb.start(data, port);
            save.get(60, TimeUnit.SECONDS);

            assertThat(restarted.process.isAlive()).isTrue();
            assertThat(store.find("during-restart")).contains(record);
            awaitReady(impatient);
        } finally {
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    @Test
    void credentials_come_only_from_the_environment_and_never_show_in_text() {
        String url = "http://127.0.0.1:5984";
        CouchDbSettings withAuth = CouchDbSettings.fromEnvironment(Map.of(CouchDbSettings.USER_VARIABLE, "stratus",
                CouchDbSettings.PASSWORD_VARIABLE, "pw-123"), url);
        assertThat(withAuth.user()).isEqualTo("stratus");
        assertThat(withAuth.password()).isEqualTo("pw-123");
        assertThat(withAuth.toString()).doesNotContain("pw-123");

        CouchDbSettings local = CouchDbSettings.fromEnvironment(Map.of(CouchDbSettings.USER_VARIABLE, " "), url);
        assertThat(local.user()).isNull();
        assertThat(local.password()).isNull();

        assertThatThrownBy(() -> CouchDbSettings.fromEnvironment(Map.of(CouchDbSettings.USER_VARIABLE, "x"), url))
                .hasMessageContaining(CouchDbSettings.PASSWORD_VARIABLE);
        assertThatThrownBy(() -> CouchDbSettings.fromEnvironment(Map.of(), "http://u:p@127.0.0.1:5984"))
                .hasMessageContaining("not in the URL");
        assertThatThrownBy(() -> local.withDatabase("Predictions")).hasMessageContaining("database name");
    }

    /** A record whose times carry nanoseconds and whose probabilities are awkward floats. */
    private static PredictionRecord precise(String id, int digit, Random random) {
        float[] probabilities = new float[10];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = random.nextFloat() / (1 << random.nextInt(30));
        }
        probabilities[0] = Float.MIN_VALUE;
        probabilities[1] = 1f / 3;
        byte[] input = new byte[784];
        random.nextBytes(input);
        return new PredictionRecord(id, Instant.parse("2025-06-01T10:15:30.123456789Z"), "model-v1 é", digit,
                probabilities, input, null, null);
    }

    private static List<String> labelledIds(PredictionStore store) {
        List<String> ids = new ArrayList<>();
        store.forEachLabelled(r -> ids.add(r.id() + "=" + r.label()));
        return ids;
    }

    private static List<String> storedIds(CouchDbSettings settings) throws IOException, InterruptedException {
        JsonNode rows = new ObjectMapper().readTree(get(settings, "/_all_docs").body()).path("rows");
        return StreamSupport.stream(rows.spliterator(), false).map(row -> row.path("id").asText())
                .filter(id -> !id.startsWith("_design/")).toList();
    }

    private static HttpResponse<String> get(CouchDbSettings settings, String path)
            throws IOException, InterruptedException {
        URI uri = URI.create(settings.url() + "/" + settings.database() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitReady(PredictionStore store) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!store.ready()) {
            if (System.nanoTime() > deadline) {
                fail("the store did not become ready again within 30 s of the server's return");
            }
            pause(Duration.ofMillis(100));
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Listens on a port and closes every connection at once, counting them: a server not yet back. */
    static final class Doorman implements AutoCloseable {
        private final ServerSocket socket;
        private final java.util.concurrent.Semaphore turnedAway = new java.util.concurrent.Semaphore(0);
        private final Thread thread;

        private Doorman(ServerSocket socket) {
            this.socket = socket;
            this.thread = new Thread(this::turnAway, "doorman");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        static Doorman on(int port) throws IOException {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return new Doorman(socket);
        }

        private void turnAway() {
            while (!socket.isClosed()) {
                try {
                    socket.accept().close();
                    turnedAway.release();
                } catch (IOException e) {
                    // Closed: done.
                }
            }
        }

        void awaitTurnedAway(int connections) throws InterruptedException {
            if (!turnedAway.tryAcquire(connections, 60, TimeUnit.SECONDS)) {
                fail("the store did not retry: " + turnedAway.availablePermits() + " connections in 60 s");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A pouchdb-server process with its data in a directory; stopped by its PID. */
    static final class PouchDb implements AutoCloseable {
        private static final String PROPERTY = "stratus.pouchdb";
        private static final Path DEFAULT_BINARY = Path.of(System.getProperty("user.home"), ".cache", "stratus",
                "pouchdb", "node_modules", ".bin", "pouchdb-server");

        final Process process;
        private final int port;
        private final Path output;

        private PouchDb(Process process, int port, Path output) {
            this.process = process;
            this.port = port;
            this.output = output;
        }

        static PouchDb start(Path data, int port) {
            try {
                Files.createDirectories(data);
                Path output = Files.createTempFile(data, "pouchdb-server-", ".out");
                // It writes log.txt into its working directory, so that is the data directory.
                Process process = new ProcessBuilder(binary().toString(), "--host", "127.0.0.1",
                        "--port", String.valueOf(port), "--dir", data.toString(),
                        "--config", data.resolve("config.json").toString())
                        .directory(data.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                PouchDb server = new PouchDb(process, port, output);
                try {
                    server.awaitAnswer();
                } catch (RuntimeException | Error e) {
                    server.close();
                    throw e;
                }
                return server;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start pouchdb-server: " + e.getMessage(), e);
            }
        }

        /** The binary from {@code -Dstratus.pouchdb}, else the cache; the test fails without one. */
        static Path binary() {
            String configured = System.getProperty(PROPERTY);
            if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) {
                return Path.of(configured);
            }
            if (Files.isExecutable(DEFAULT_BINARY)) {
                return DEFAULT_BINARY;
            }
            return fail("pouchdb-server is not installed (looked at -D" + PROPERTY + "=" + configured + " and "
                    + DEFAULT_BINARY + "); run scripts/install-pouchdb.sh");
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        private void awaitAnswer() {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            HttpRequest root = HttpRequest.newBuilder(URI.create(url() + "/")).timeout(Duration.ofSeconds(2)).build();
            while (process.isAlive() && System.nanoTime() < deadline) {
                try {
                    // Its own line too: on a port already taken it keeps running for seconds,
                    // printing nothing but an error, while another server answers.
                    if (output().contains("has started on")
                            && HTTP.send(root, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // Not listening yet.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for pouchdb-server", e);
                }
                pause(Duration.ofMillis(50));
            }
            fail("pouchdb-server on " + url() + (process.isAlive() ? " did not answer within 30 s"
                    : " exited with " + process.exitValue()) + ": " + output());
        }

        private String output() {
            try {
                return Files.readString(output);
            } catch (IOException e) {
                return "(no output: " + e.getMessage() + ")";
            }
        }

        /** SIGTERM to its PID, then a hard kill if it has not gone after 10 s. Safe to call twice. */
        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
