package dev.stratus.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.core.verdict.Verdict;
import dev.stratus.server.store.CouchDbSettings.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed store: one CouchDB document per prediction, written by inference workers and
 * read and labelled by gateways, over CouchDB's HTTP API.
 *
 * <p>A document ({@code _id} is the prediction id; {@code label}, {@code labelledAt} and
 * {@code labelHistory} are absent until the user labels it; {@code verdict} is absent from
 * documents written before issue 17, {@code number} unless the verdict is several):
 * <pre>
 * {"_id": "...", "type": "prediction", "modelVersion": "...", "digit": 7,
 *  "probabilities": [10 numbers], "input": "784 bytes, standard base64",
 *  "createdAt": "2025-01-01T12:00:00.123456000Z", "verdict": "several", "number": "42",
 *  "label": 3, "labelledAt": "...",
 *  "labelHistory": [{"label": 3, "at": "...", "client": "192.0.2.1"}]}
 * </pre>
 * The input is base64 (1,048 characters) rather than an array of ints (up to ~2,900) to keep
 * documents small. Times are ISO-8601 UTC with exactly nine fraction digits so that they sort
 * correctly as strings: the {@code labelledAt} index and the paging of {@link #forEachLabelled}
 * rely on that.
 *
 * <p>Saves are idempotent: a redelivered message saves the same id again, and the conflict that
 * answers it means the prediction is already stored.
 */
public final class CouchDbPredictionStore implements PredictionStore {
    private static final Logger LOG = LoggerFactory.getLogger(CouchDbPredictionStore.class);
    private static final String JSON_TYPE = "application/json";
    private static final String DOCUMENT_TYPE = "prediction";
    /** The document's array of label changes, oldest first: {@code {"label", "at", "client"}}. */
    private static final String HISTORY = "labelHistory";
    static final DateTimeFormatter TIME = new DateTimeFormatterBuilder().appendInstant(9)
            .toFormatter(Locale.ROOT);
    private static final int LABEL_ATTEMPTS = 5;
    private static final int PAGE_SIZE = 200;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final long PROBE_INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();

    // Big decimals so that a probability is rounded to float once, from the decimal text.
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final CouchDbSettings settings;
    private final Backoff backoff;
    private final HttpClient client;
    private final String databaseUrl;
    private final String authorization;
    private final CouchDbNumberStore numbers = new CouchDbNumberStore(this);
    private volatile boolean healthy;
    private volatile long lastProbe = System.nanoTime() - PROBE_INTERVAL_NANOS;
    private volatile boolean closed;

    private CouchDbPredictionStore(CouchDbSettings settings, Backoff backoff) {
        this.settings = settings;
        this.backoff = backoff;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout()).build();
        this.databaseUrl = settings.base() + "/" + encode(settings.database());
        this.authorization = settings.user() == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (settings.user() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
    }

    /** Opens the store with the default backoff, creating the database and its index if absent. */
    public static CouchDbPredictionStore open(CouchDbSettings settings) {
        return open(settings, Backoff.DEFAULT);
    }

    public static CouchDbPredictionStore open(CouchDbSettings settings, Backoff backoff) {
        CouchDbPredictionStore store = new CouchDbPredictionStore(settings, backoff);
        try {
            store.createDatabase();
            store.createLabelIndex();
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private void createDatabase() {
        // 412: it exists already. 401/403: a non-admin user may still use an existing database,
        // which the read below finds out.
        call(request("").PUT(HttpRequest.BodyPublishers.noBody()), "create database " + settings.database(),
                201, 202, 412, 401, 403);
        call(request("").GET(), "read database " + settings.database(), 200);
    }

    /** Where CouchDB is, for messages. */
    String url() {
        return settings.url().toString();
    }

    /** Drops the whole database: only for scratch databases, such as the hop benchmark's. */
    public void deleteDatabase() {
        call(request("").DELETE(), "delete database " + settings.database(), 200, 202, 404);
    }

    private void createLabelIndex() {
        // CouchDB answers "exists" when it is there already, so this is safe on every open.
        ObjectNode index = json.createObjectNode();
        index.putObject("index").putArray("fields").add("labelledAt");
        index.put("ddoc", "stratus-labelled").put("name", "labelled-at").put("type", "json");
        call(withJson("/_index", "POST", index), "create the labelledAt index", 200, 201);
    }

    @Override
    public void save(PredictionRecord record) {
        HttpRequest.Builder put = withJson(documentPath(record.id()), "PUT", toDocument(record));
        // A conflict says the id is taken, normally by this very prediction delivered before.
        if (call(put, "save prediction " + record.id(), 201, 202, 409).statusCode() == 409
                && find(record.id()).isEmpty()) {
            throw new StoreException("CouchDB at " + settings.url() + " reported a conflict saving prediction "
                    + record.id() + " but holds no prediction with that id", null);
        }
    }

    /**
     * Saves a micro-batch in one request. Ids already stored (redelivered messages) keep their
     * first record, which is read back and returned in place of the new one; a batch that
     * repeats an id stores it once.
     */
    @Override
    public List<PredictionRecord> saveAll(List<PredictionRecord> records) {
        return saveAll(records, PredictionRecord::id, this::toDocument, this::find, "prediction");
    }

    /**
     * Saves records of any type (predictions, numbers) in one request, idempotently: ids already
     * stored keep their first record, read back with {@code find} and returned in place of the
     * new one, and a batch that repeats an id stores it once.
     */
    <T> List<T> saveAll(List<T> records, Function<T, String> id, Function<T, ObjectNode> document,
                        Function<String, Optional<T>> find, String what) {
        Map<String, T> unique = new LinkedHashMap<>();
        records.forEach(r -> unique.putIfAbsent(id.apply(r), r));
        if (unique.isEmpty()) {
            return records;
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode docs = body.putArray("docs");
        unique.values().forEach(r -> docs.add(document.apply(r)));
        String action = "save " + unique.size() + " " + what + "s";
        List<String> failed = new ArrayList<>();
        List<String> storedBefore = new ArrayList<>();
        for (JsonNode result : parse(call(withJson("/_bulk_docs", "POST", body), action, 201, 202), action)) {
            String error = result.path("error").asText("");
            if ("conflict".equals(error)) {
                storedBefore.add(result.path("id").asText());
            } else if (!error.isEmpty()) {
                failed.add(result.path("id").asText() + " (" + error + ": " + result.path("reason").asText() + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new StoreException("CouchDB at " + settings.url() + " refused " + failed.size() + " of "
                    + unique.size() + " " + what + "s: " + failed, null);
        }
        for (String before : storedBefore) {
            unique.put(before, find.apply(before).orElseThrow(() -> new StoreException("CouchDB at " + settings.url()
                    + " reported a conflict saving " + what + " " + before + " but holds no " + what + " with that id",
                    null)));
        }
        return storedBefore.isEmpty() ? records : records.stream().map(r -> unique.get(id.apply(r))).toList();
    }

    /** The numbers, documents of type {@code number} in the same database. */
    @Override
    public NumberStore numbers() {
        return numbers;
    }

    @Override
    public Optional<PredictionRecord> find(String id) {
        return readDocument(id).map(CouchDbPredictionStore::fromDocument);
    }

    @Override
    public Optional<PredictionRecord> label(String id, LabelChange change) {
        String action = "label prediction " + id;
        for (int attempt = 1; attempt <= LABEL_ATTEMPTS; attempt++) {
            Optional<ObjectNode> current = readDocument(id);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            ObjectNode doc = current.get();
            // Built before writing so that a label outside 0-9 is refused without a request.
            PredictionRecord labelled = fromDocument(doc).withLabel(change.label(), change.at());
            doc.put("label", change.label()).put("labelledAt", TIME.format(labelled.labelledAt()));
            // In the same document, so that a label and its history are written in one revision.
            ArrayNode history = doc.path(HISTORY) instanceof ArrayNode earlier ? earlier : doc.putArray(HISTORY);
            history.addObject().put("label", change.label()).put("at", TIME.format(change.at()))
                    .put("client", change.client());
            if (call(withJson(documentPath(id), "PUT", doc), action, 201, 202, 409).statusCode() != 409) {
                return Optional.of(labelled);
            }
            LOG.debug("prediction {} changed while being labelled (attempt {}); reading it again", id, attempt);
        }
        throw new StoreException("CouchDB at " + settings.url() + ": prediction " + id
                + " kept changing while being labelled (" + LABEL_ATTEMPTS + " conflicts)", null);
    }

    @Override
    public List<LabelChange> labelHistory(String id) {
        List<LabelChange> changes = new ArrayList<>();
        readDocument(id).ifPresent(doc -> doc.path(HISTORY).forEach(change -> changes.add(new LabelChange(
                change.path("label").asInt(), Instant.parse(change.path("at").asText()), change.path("client").asText()))));
        return changes;
    }

    /**
     * Pages through the {@code labelledAt} index by key range rather than by an ever larger skip:
     * each page starts at the last time seen and skips only the documents already delivered with
     * exactly that time.
     */
    @Override
    public void forEachLabelled(Consumer<PredictionRecord> action) {
        forEachLabelled(DOCUMENT_TYPE, doc -> action.accept(fromDocument(doc)));
    }

    /** Every labelled document of {@code type}, oldest label first (numbers share the index). */
    void forEachLabelled(String type, Consumer<JsonNode> action) {
        String from = "";
        int deliveredAtFrom = 0;
        while (true) {
            JsonNode docs = labelledPage(from, deliveredAtFrom);
            for (JsonNode doc : docs) {
                String at = doc.path("labelledAt").asText();
                deliveredAtFrom = at.equals(from) ? deliveredAtFrom + 1 : 1;
                from = at;
                if (type.equals(doc.path("type").asText())) {
                    action.accept(doc);
                }
            }
            if (docs.size() < PAGE_SIZE) {
                return;
            }
        }
    }

    private JsonNode labelledPage(String from, int skip) {
        ObjectNode query = json.createObjectNode();
        // Only the indexed field in the selector, so that limit and skip apply in the index.
        query.putObject("selector").putObject("labelledAt").put("$gte", from);
        query.putArray("sort").addObject().put("labelledAt", "asc");
        query.put("limit", PAGE_SIZE).put("skip", skip);
        String action = "list labelled predictions";
        return parse(call(withJson("/_find", "POST", query), action, 200), action).path("docs");
    }

    /** True when the last request was answered; otherwise a cheap check, at most every 2 s. */
    @Override
    public boolean ready() {
        if (closed) {
            return false;
        }
        if (healthy) {
            return true;
        }
        long now = System.nanoTime();
        if (now - lastProbe < PROBE_INTERVAL_NANOS) {
            return false;
        }
        lastProbe = now;
        try {
            HttpResponse<Void> response = client.send(request("").timeout(PROBE_TIMEOUT).GET().build(),
                    BodyHandlers.discarding());
            healthy = response.statusCode() == 200;
        } catch (IOException e) {
            healthy = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return healthy;
    }

    @Override
    public void close() {
        closed = true;
        healthy = false;
        // HttpClient is AutoCloseable from Java 21; on 17 its threads end once it is unreachable.
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing the CouchDB client: {}", e.getMessage());
            }
        }
    }

    private Optional<ObjectNode> readDocument(String id) {
        return readDocument(id, DOCUMENT_TYPE);
    }

    /** The document {@code id} if it is of {@code type}. */
    Optional<ObjectNode> readDocument(String id, String type) {
        if (id.startsWith("_")) {
            // CouchDB's own endpoints (_all_docs, _changes, _design/...): never a prediction.
            return Optional.empty();
        }
        String action = "read prediction " + id;
        HttpResponse<String> response = call(request(documentPath(id)).GET(), action, 200, 404);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        JsonNode doc = parse(response, action);
        return doc instanceof ObjectNode object && type.equals(object.path("type").asText())
                ? Optional.of(object) : Optional.empty();
    }

    /** Sends; an answer with a status other than {@code accepted} is a clear error at once. */
    HttpResponse<String> call(HttpRequest.Builder builder, String action, int... accepted) {
        HttpResponse<String> response = send(builder, action);
        for (int status : accepted) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw refused(response, action);
    }

    /**
     * Sends with retries on what may pass (no connection, timeouts, 5xx); any other answer is
     * returned for the caller to judge.
     */
    private HttpResponse<String> send(HttpRequest.Builder builder, String action) {
        if (closed) {
            throw new IllegalStateException("the CouchDB store is closed");
        }
        HttpRequest request = builder.build();
        for (int attempt = 0; ; attempt++) {
            String failure;
            IOException cause = null;
            try {
                HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
                if (response.statusCode() < 500) {
                    healthy = true;
                    return response;
                }
                failure = "answered " + response.statusCode() + reason(response);
            } catch (IOException e) {
                cause = e;
                failure = e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while trying to " + action + " at " + settings.url(), e);
            }
            if (attempt >= settings.maxRetries()) {
                healthy = false;
                throw new StoreException("CouchDB at " + settings.url() + " could not " + action + " after "
                        + (attempt + 1) + " attempts: " + failure, cause);
            }
            pause(attempt, action, failure);
        }
    }

    private void pause(int attempt, String action, String failure) {
        Duration wait = backoff.after(attempt);
        LOG.warn("CouchDB at {} could not {} ({}); retry {} of {} in {} ms", settings.url(), action, failure,
                attempt + 1, settings.maxRetries(), wait.toMillis());
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting to " + action + " at " + settings.url(), e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(databaseUrl + path))
                .timeout(settings.timeout()).header("Accept", JSON_TYPE);
        return authorization == null ? builder : builder.header("Authorization", authorization);
    }

    HttpRequest.Builder withJson(String path, String method, JsonNode body) {
        // JsonNode.toString() writes standard JSON (Jackson 2.10+), without a checked exception.
        return request(path).header("Content-Type", JSON_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }

    JsonNode parse(HttpResponse<String> response, String action) {
        try {
            return json.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new StoreException("CouchDB at " + settings.url() + " answered '" + action
                    + "' with malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private StoreException refused(HttpResponse<String> response, String action) {
        return new StoreException("CouchDB at " + settings.url() + " refused to " + action + ": "
                + response.statusCode() + reason(response), null);
    }

    /** CouchDB explains errors as {@code {"error": ..., "reason": ...}}; anything else is cut short. */
    private String reason(HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body().strip();
        try {
            JsonNode error = json.readTree(body);
            if (error != null && error.has("error")) {
                return " " + error.path("error").asText() + " (" + error.path("reason").asText() + ")";
            }
        } catch (JsonProcessingException e) {
            // Not JSON: fall through and quote it.
        }
        return body.isEmpty() ? "" : " " + body.substring(0, Math.min(body.length(), 200));
    }

    static String documentPath(String id) {
        return "/" + encode(id);
    }

    private static String encode(String segment) {
        // URLEncoder encodes for forms: a space becomes '+', which a path would keep literally.
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private ObjectNode toDocument(PredictionRecord record) {
        ObjectNode doc = json.createObjectNode().put("_id", record.id()).put("type", DOCUMENT_TYPE)
                .put("modelVersion", record.modelVersion()).put("digit", record.digit());
        ArrayNode probabilities = doc.putArray("probabilities");
        for (float p : record.probabilities()) {
            probabilities.add(p);
        }
        doc.put("input", Base64.getEncoder().encodeToString(record.input()))
                .put("createdAt", TIME.format(record.createdAt()));
        if (record.label() != null) {
            doc.put("label", record.label().intValue());
        }
        if (record.labelledAt() != null) {
            doc.put("labelledAt", TIME.format(record.labelledAt()));
        }
        if (record.verdict() != null) {
            doc.put("verdict", record.verdict().json());
        }
        if (record.number() != null) {
            doc.put("number", record.number());
        }
        return doc;
    }

    private static PredictionRecord fromDocument(JsonNode doc) {
        try {
            JsonNode probabilities = doc.required("probabilities");
            float[] values = new float[probabilities.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = probabilities.get(i).floatValue();
            }
            return new PredictionRecord(doc.required("_id").asText(), Instant.parse(doc.required("createdAt").asText()),
                    doc.required("modelVersion").asText(), doc.required("digit").asInt(), values,
                    Base64.getDecoder().decode(doc.required("input").asText()),
                    doc.hasNonNull("label") ? doc.get("label").asInt() : null,
                    doc.hasNonNull("labelledAt") ? Instant.parse(doc.get("labelledAt").asText()) : null,
                    doc.hasNonNull("verdict") ? Verdict.of(doc.get("verdict").asText()) : null,
                    doc.hasNonNull("number") ? doc.get("number").asText() : null);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new StoreException("prediction document " + doc.path("_id").asText() + " is malformed: "
                    + e.getMessage(), e);
        }
    }
}
