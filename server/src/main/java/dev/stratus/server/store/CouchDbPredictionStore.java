package dev.stratus.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.core.verdict.Verdict;
import dev.stratus.server.store.CouchDbSettings.Backoff;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The distributed store: one CouchDB document per prediction, written by inference workers and
 * read and labelled by gateways, over CouchDB's HTTP API ({@link CouchDbDatabase}).
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
 * documents small.
 *
 * <p>Saves are idempotent: a redelivered message saves the same id again, and the conflict that
 * answers it means the prediction is already stored.
 */
public final class CouchDbPredictionStore implements PredictionStore {
    private static final String DOCUMENT_TYPE = "prediction";

    private final CouchDbDatabase couch;
    private final CouchDbNumberStore numbers;

    private CouchDbPredictionStore(CouchDbDatabase couch) {
        this.couch = couch;
        this.numbers = new CouchDbNumberStore(couch);
    }

    /** Opens the store with the default backoff, creating the database and its index if absent. */
    public static CouchDbPredictionStore open(CouchDbSettings settings) {
        return open(settings, Backoff.DEFAULT);
    }

    public static CouchDbPredictionStore open(CouchDbSettings settings, Backoff backoff) {
        CouchDbDatabase couch = new CouchDbDatabase(settings, backoff);
        try {
            couch.create();
            return new CouchDbPredictionStore(couch);
        } catch (RuntimeException e) {
            couch.close();
            throw e;
        }
    }

    /** Drops the whole database: only for scratch databases, such as the hop benchmark's. */
    public void deleteDatabase() {
        couch.delete();
    }

    @Override
    public void save(PredictionRecord record) {
        // A conflict says the id is taken, normally by this very prediction delivered before.
        if (!couch.put(record.id(), toDocument(record), "save prediction " + record.id()) && find(record.id()).isEmpty()) {
            throw new StoreException("CouchDB at " + couch.url() + " reported a conflict saving prediction "
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
        return couch.saveAll(records, PredictionRecord::id, this::toDocument, this::find, DOCUMENT_TYPE);
    }

    /** The numbers, documents of type {@code number} in the same database. */
    @Override
    public NumberStore numbers() {
        return numbers;
    }

    @Override
    public Optional<PredictionRecord> find(String id) {
        return couch.readDocument(id, DOCUMENT_TYPE).map(CouchDbPredictionStore::fromDocument);
    }

    @Override
    public Optional<PredictionRecord> label(String id, LabelChange change) {
        // Built before writing, so that a label outside 0-9 is refused without a request.
        return couch.label(id, DOCUMENT_TYPE, IntNode.valueOf(change.label()), change.at(), change.client(),
                doc -> fromDocument(doc).withLabel(change.label(), change.at()));
    }

    @Override
    public List<LabelChange> labelHistory(String id) {
        return couch.labelHistory(id, DOCUMENT_TYPE, change -> new LabelChange(change.path("label").asInt(),
                Instant.parse(change.path("at").asText()), change.path("client").asText()));
    }

    @Override
    public void forEachLabelled(Consumer<PredictionRecord> action) {
        couch.forEachLabelled(DOCUMENT_TYPE, doc -> action.accept(fromDocument(doc)));
    }

    @Override
    public boolean ready() {
        return couch.ready();
    }

    @Override
    public void close() {
        couch.close();
    }

    private ObjectNode toDocument(PredictionRecord record) {
        ObjectNode doc = couch.json.createObjectNode().put("_id", record.id()).put("type", DOCUMENT_TYPE)
                .put("modelVersion", record.modelVersion()).put("digit", record.digit());
        ArrayNode probabilities = doc.putArray("probabilities");
        for (float p : record.probabilities()) {
            probabilities.add(p);
        }
        doc.put("input", Base64.getEncoder().encodeToString(record.input()))
                .put("createdAt", CouchDbDatabase.TIME.format(record.createdAt()));
        if (record.label() != null) {
            doc.put("label", record.label().intValue());
        }
        if (record.labelledAt() != null) {
            doc.put("labelledAt", CouchDbDatabase.TIME.format(record.labelledAt()));
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
