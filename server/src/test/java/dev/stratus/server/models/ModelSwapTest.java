package dev.stratus.server.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.TinyOnnx;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.SmokeTest;
import dev.stratus.server.AdminToken;
import dev.stratus.server.Digits;
import dev.stratus.server.Http;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions swapped at run time on a real embedded server over real sockets: promote and roll back
 * under load without a failed request, refuse what does not load or fails its smoke test while
 * the active version keeps answering, route a canary's share, run a shadow beside the answers.
 */
class ModelSwapTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-admin-token-0123456789";
    private static final String CANDIDATE = "candidate-2";

    @TempDir
    Path dir;
    private ModelRegistry registry;
    private String shipped;

    @BeforeEach
    void registry() throws IOException {
        registry = ModelRegistry.open(dir.resolve("registry"));
        shipped = registry.state().active();
        registry.keepSmokeSample(SmokeTest.of(Digits.mnist()));
    }

    @Test
    void twenty_promotions_and_rollbacks_under_load_fail_no_request() throws Exception {
        addCandidate(CANDIDATE);
        try (StratusServer server = start(); Load load = new Load(new Http(server.url()), 4)) {
            Http admin = admin(server);
            load.awaitAnswers(200);
            for (int i = 0; i < 20; i++) {
                String next = i % 2 == 0 ? CANDIDATE : shipped;
                HttpResponse<String> changed = i % 2 == 0 ? change(admin, "promote", "{\"version\":\"" + next + "\"}")
                        : change(admin, "rollback", "");
                assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
                assertThat(JSON.readTree(changed.body()).get("serving").asText()).isEqualTo(next);
                for (int k = 0; k < 5; k++) {
                    assertThat(predictedBy(new Http(server.url()), k)).as("answers after swap %d", i).isEqualTo(next);
                }
            }
            load.stop();
            assertThat(load.failures()).as("failed requests during 20 swaps").isEmpty();
            assertThat(load.versions().keySet()).containsExactlyInAnyOrder(shipped, CANDIDATE);
            assertThat(load.answered()).isGreaterThan(200);
        }
    }

    @Test
    void a_model_that_does_not_load_is_refused_and_the_active_one_keeps_answering() throws Exception {
        Path broken = Files.createDirectories(registry.root().resolve("versions").resolve("broken"));
        Files.write(broken.resolve(ModelContract.CARD_FILE), card("broken"));
        Files.write(broken.resolve(ModelContract.MODEL_FILE), TinyOnnx.identity());
        try (StratusServer server = start()) {
            Http admin = admin(server);
            HttpResponse<String> refused = change(admin, "promote", "{\"version\":\"broken\"}");

            assertThat(refused.statusCode()).isEqualTo(409);
            JsonNode view = JSON.readTree(refused.body());
            assertThat(view.get("serving").asText()).isEqualTo(shipped);
            assertThat(view.get("refused").asText()).contains("broken").contains("output shape");
            assertThat(predictedBy(new Http(server.url()), 1)).isEqualTo(shipped);

            HttpResponse<String> back = change(admin, "rollback", "");
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
            assertThat(JSON.readTree(back.body()).has("refused")).isFalse();
        }
    }

    @Test
    void a_model_that_fails_its_smoke_test_is_refused_with_both_scores() throws Exception {
        Path uniform = Files.createDirectories(registry.root().resolve("versions").resolve("uniform"));
        Files.write(uniform.resolve(ModelContract.CARD_FILE), card("uniform"));
        Files.write(uniform.resolve(ModelContract.MODEL_FILE), TinyOnnx.uniform());
        try (StratusServer server = start()) {
            HttpResponse<String> refused = change(admin(server), "promote", "{\"version\":\"uniform\"}");

            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(refused.body()).get("refused").asText())
                    .contains("uniform: ").contains("its card claims 99.").contains("refused");
            assertThat(predictedBy(new Http(server.url()), 2)).isEqualTo(shipped);
        }
    }

    @Test
    void a_canary_answers_its_share_of_requests() throws Exception {
        addCandidate(CANDIDATE);
        try (StratusServer server = start()) {
            HttpResponse<String> canary = change(admin(server), "canary",
                    "{\"version\":\"" + CANDIDATE + "\",\"share\":0.1}");
            assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
            try (Load load = new Load(new Http(server.url()), 4)) {
                load.awaitAnswers(5_000);
                load.stop();
                assertThat(load.failures()).isEmpty();
                double share = (double) load.versions().getOrDefault(CANDIDATE, new AtomicInteger()).get() / load.answered();
                assertThat(share).as("canary share of %d answers", load.answered()).isBetween(0.08, 0.12);
            }
            JsonNode view = JSON.readTree(new Http(server.url()).get("/api/v1/models").body());
            assertThat(view.get("canary").get("share").asDouble()).isEqualTo(0.1);
        }
    }

    @Test
    void a_shadow_classifies_copies_and_counts_disagreements_while_users_get_the_active_answer() throws Exception {
        Path uniform = Files.createDirectories(registry.root().resolve("versions").resolve("uniform"));
        Files.write(uniform.resolve(ModelContract.CARD_FILE), card("uniform"));
        Files.write(uniform.resolve(ModelContract.MODEL_FILE), TinyOnnx.uniform());
        // A smoke sample of 0s only: the uniform model reads every digit as 0, so it passes here and
        // then, as the shadow, disagrees with the active model on every digit that is not a 0.
        registry.keepSmokeSample(new SmokeTest(zeros(Digits.mnist()), SmokeTest.TOLERANCE));
        try (StratusServer server = start()) {
            HttpResponse<String> shadow = change(admin(server), "shadow", "{\"version\":\"uniform\"}");
            assertThat(shadow.statusCode()).as(shadow.body()).isEqualTo(200);
            Http http = new Http(server.url());
            int nonZero = 0;
            for (int i = 0; i < 100; i++) {
                assertThat(predictedBy(http, i)).isEqualTo(shipped);
                nonZero += Digits.label(i) == 0 ? 0 : 1;
            }
            JsonNode agreement = null;
            for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; Thread.sleep(50)) {
                agreement = JSON.readTree(http.get("/api/v1/models").body()).get("shadowAgreement");
                if (agreement.get("compared").asInt() + agreement.get("skipped").asInt() >= 100) {
                    break;
                }
            }
            assertThat(agreement.get("compared").asInt()).isEqualTo(100);
            // The uniform model reads every digit as 0: it disagrees wherever the active model did not say 0.
            assertThat(agreement.get("disagreed").asInt()).isBetween(nonZero - 3, nonZero + 3);
            assertThat(agreement.get("recentDisagreements").get(0).get("shadow").asInt()).isZero();
        }
    }

    @Test
    void changes_need_the_token_and_are_off_without_one() throws Exception {
        try (StratusServer server = start()) {
            HttpResponse<String> anonymous = new Http(server.url()).postJson("/api/v1/models/rollback", "{}");
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(anonymous.body()).get("error").asText()).isEqualTo("unauthorized");
            HttpResponse<String> wrong = new Http(server.url(), Map.of("Authorization", "Bearer not-the-token-at-all"))
                    .postJson("/api/v1/models/rollback", "{}");
            assertThat(wrong.statusCode()).isEqualTo(401);
            HttpResponse<String> unknown = change(admin(server), "promote", "{\"version\":\"nope\"}");
            assertThat(unknown.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(unknown.body()).get("detail").asText()).contains("no version nope");
            HttpResponse<String> badShare = change(admin(server), "canary", "{\"version\":\"x\",\"share\":2}");
            assertThat(badShare.statusCode()).isEqualTo(400);
        }
        try (StratusServer off = StratusServer.start(config().admin(AdminToken.NONE).build())) {
            HttpResponse<String> closed = new Http(off.url(), Map.of("Authorization", "Bearer " + TOKEN))
                    .postJson("/api/v1/models/rollback", "{}");
            assertThat(closed.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(closed.body()).get("detail").asText()).contains("STRATUS_ADMIN_TOKEN");
            JsonNode view = JSON.readTree(new Http(off.url()).get("/api/v1/models").body());
            assertThat(view.get("serving").asText()).isEqualTo(shipped);
            assertThat(view.get("versions").get(0).get("role").asText()).isEqualTo("active");
        }
    }

    private StratusServer start() throws IOException {
        return StratusServer.start(config().build());
    }

    private ServerConfig.Builder config() {
        return ServerConfig.builder().port(0).dataDirectory(dir.resolve("data")).rateLimit(0, 1)
                .registryDirectory(registry.root()).admin(AdminToken.of(TOKEN));
    }

    private static Http admin(StratusServer server) {
        return new Http(server.url(), Map.of("Authorization", "Bearer " + TOKEN));
    }

    private static HttpResponse<String> change(Http admin, String action, String body) {
        return admin.postJson("/api/v1/models/" + action, body.isEmpty() ? "{}" : body);
    }

    /** The version that answered MNIST test digit {@code index}. */
    static String predictedBy(Http http, int index) throws IOException {
        HttpResponse<String> answer = http.postJson("/api/v1/predictions", Digits.pixelsJson(index));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).get("modelVersion").asText();
    }

    private static LabeledImages zeros(LabeledImages digits) {
        java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream labels = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < digits.count(); i++) {
            if (digits.label(i) == 0) {
                pixels.write(digits.pixels(), i * 784, 784);
                labels.write(0);
            }
        }
        return new LabeledImages(28, 28, pixels.toByteArray(), labels.toByteArray());
    }

    private void addCandidate(String version) throws Exception {
        Path source = Files.createDirectories(dir.resolve("sources").resolve(version));
        Files.write(source.resolve(ModelContract.CARD_FILE), card(version));
        Files.write(source.resolve(ModelContract.MODEL_FILE), resource(ModelContract.MODEL_FILE));
        registry.add(source, registry.smokeTest().orElseThrow());
    }

    private static byte[] card(String version) throws IOException {
        ObjectNode card = (ObjectNode) JSON.readTree(resource(ModelContract.CARD_FILE));
        card.put("version", version);
        return JSON.writeValueAsBytes(card);
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = ModelSwapTest.class.getResourceAsStream(ModelContract.DEFAULT_RESOURCE + file)) {
            return in.readAllBytes();
        }
    }

    /** Clients posting MNIST digits back to back until stopped, tallying answers by version and every failure. */
    static final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
        private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger answered = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();

        Load(Http http, int clients) {
            for (int c = 0; c < clients; c++) {
                int offset = c * 300;
                Thread t = new Thread(() -> {
                    for (int i = 0; running.get(); i++) {
                        try {
                            HttpResponse<String> r = http.postJson("/api/v1/predictions", Digits.pixelsJson((offset + i) % 2000));
                            if (r.statusCode() != 200) {
                                failures.add(r.statusCode() + " " + r.body());
                            } else {
                                versions.computeIfAbsent(JSON.readTree(r.body()).get("modelVersion").asText(),
                                        v -> new AtomicInteger()).incrementAndGet();
                                answered.incrementAndGet();
                            }
                        } catch (IOException | RuntimeException e) {
                            failures.add(e.toString());
                        }
                    }
                }, "load-" + c);
                t.start();
                threads.add(t);
            }
        }

        void awaitAnswers(int count) throws InterruptedException {
            for (long end = System.nanoTime() + 60_000_000_000L; answered.get() < count && System.nanoTime() < end; ) {
                Thread.sleep(10);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        int answered() {
            return answered.get();
        }

        Map<String, AtomicInteger> versions() {
            return versions;
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
