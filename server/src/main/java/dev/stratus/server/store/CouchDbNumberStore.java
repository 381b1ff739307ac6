package dev.stratus.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The distributed store's numbers: one document of type {@code number} per number, in the
 * predictions' database and over the same client as {@link CouchDbPredictionStore} (its retries,
 * timeouts and errors), which never reads them as predictions:
 * <pre>
 * {"_id": "...", "type": "number", "modelVersion": "...", "number": "2048",
 *  "digits": "NumberDigits, standard base64", "createdAt": "...", "label": "2049", "labelledAt": "...",
 *  "labelHistory": [{"label": "2049", "at": "...", "client": "192.0.2.1"}]}
 * </pre>
 * Saves are idempotent as the predictions' are: a conflict means the number is stored already.
 */
final class CouchDbNumberStore implements NumberStore {
    static final String DOCUMENT_TYPE = "number";
    private static final String HISTORY = "labelHistory";
    private static final int LABEL_ATTEMPTS = 5;

    private final CouchDbPredictionStore couch;

    CouchDbNumberStore(CouchDbPredictionStore couch) {
        this.couch = couch;
    }

    @Override
    public List<NumberRecord> saveAll(List<NumberRecord> records) {
        return couch.saveAll(records, NumberRecord::id, CouchDbNumberStore::toDocument, this::find, "number");
    }

    @Override
    public Optional<NumberRecord> find(String id) {
        return couch.readDocument(id, DOCUMENT_TYPE).map(CouchDbNumberStore::fromDocument);
    }

    @Override
    public Optional<NumberRecord> label(String id, NumberLabel change) {
        String action = "label number " + id;
        for (int attempt = 1; attempt <= LABEL_ATTEMPTS; attempt++) {
            Optional<ObjectNode> current = couch.readDocument(id, DOCUMENT_TYPE);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            ObjectNode doc = current.get();
            // Built before writing, so that a label of the wrong length is refused without a request.
            NumberRecord labelled = fromDocument(doc).withLabel(change.label(), change.at());
            doc.put("label", change.label()).put("labelledAt", CouchDbPredictionStore.TIME.format(change.at()));
            ArrayNode history = doc.path(HISTORY) instanceof ArrayNode earlier ? earlier : doc.putArray(HISTORY);
            history.addObject().put("label", change.label()).put("at", CouchDbPredictionStore.TIME.format(change.at()))
                    .put("client", change.client());
            if (couch.call(couch.withJson(CouchDbPredictionStore.documentPath(id), "PUT", doc), action, 201, 202, 409)
                    .statusCode() != 409) {
                return Optional.of(labelled);
            }
        }
        throw new StoreException("CouchDB at " + couch.url() + ": number " + id + " kept changing while being labelled ("
                + LABEL_ATTEMPTS + " conflicts)", null);
    }

    @Override
    public List<NumberLabel> labelHistory(String id) {
        List<NumberLabel> changes = new ArrayList<>();
        couch.readDocument(id, DOCUMENT_TYPE).ifPresent(doc -> doc.path(HISTORY).forEach(change -> changes.add(
                new NumberLabel(change.path("label").asText(), Instant.parse(change.path("at").asText()),
                        change.path("client").asText()))));
        return changes;
    }

    @Override
    public void forEachLabelled(Consumer<NumberRecord> action) {
        couch.forEachLabelled(DOCUMENT_TYPE, doc -> action.accept(fromDocument(doc)));
    }

    private static ObjectNode toDocument(NumberRecord record) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode().put("_id", record.id()).put("type", DOCUMENT_TYPE)
                .put("modelVersion", record.modelVersion()).put("number", record.number())
                .put("digits", Base64.getEncoder().encodeToString(NumberDigits.encode(record.digits())))
                .put("createdAt", CouchDbPredictionStore.TIME.format(record.createdAt()));
        if (record.label() != null) {
            doc.put("label", record.label()).put("labelledAt", CouchDbPredictionStore.TIME.format(record.labelledAt()));
        }
        return doc;
    }

    private static NumberRecord fromDocument(JsonNode doc) {
        try {
            return new NumberRecord(doc.required("_id").asText(), Instant.parse(doc.required("createdAt").asText()),
                    doc.required("modelVersion").asText(),
                    NumberDigits.decode(Base64.getDecoder().decode(doc.required("digits").asText())),
                    doc.hasNonNull("label") ? doc.get("label").asText() : null,
                    doc.hasNonNull("labelledAt") ? Instant.parse(doc.get("labelledAt").asText()) : null);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new StoreException("number document " + doc.path("_id").asText() + " is malformed: "
                    + e.getMessage(), e);
        }
    }
}
