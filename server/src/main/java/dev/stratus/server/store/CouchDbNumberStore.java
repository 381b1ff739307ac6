package dev.stratus.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The distributed store's numbers: one document of type {@code number} per number, in the
 * predictions' database and over the same {@link CouchDbDatabase} (its retries, timeouts and
 * errors); the predictions' store never reads them as predictions:
 * <pre>
 * {"_id": "...", "type": "number", "modelVersion": "...", "number": "2048",
 *  "digits": "NumberDigits, standard base64", "createdAt": "...", "label": "2049", "labelledAt": "...",
 *  "labelHistory": [{"label": "2049", "at": "...", "client": "192.0.2.1"}]}
 * </pre>
 * Saves are idempotent as the predictions' are: a conflict means the number is stored already.
 */
final class CouchDbNumberStore implements NumberStore {
    static final String DOCUMENT_TYPE = "number";

    private final CouchDbDatabase couch;

    CouchDbNumberStore(CouchDbDatabase couch) {
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
        // Built before writing, so that a label of the wrong length is refused without a request.
        return couch.label(id, DOCUMENT_TYPE, TextNode.valueOf(change.label()), change.at(), change.client(),
                doc -> fromDocument(doc).withLabel(change.label(), change.at()));
    }

    @Override
    public List<NumberLabel> labelHistory(String id) {
        return couch.labelHistory(id, DOCUMENT_TYPE, change -> new NumberLabel(change.path("label").asText(),
                Instant.parse(change.path("at").asText()), change.path("client").asText()));
    }

    @Override
    public void forEachLabelled(Consumer<NumberRecord> action) {
        couch.forEachLabelled(DOCUMENT_TYPE, doc -> action.accept(fromDocument(doc)));
    }

    private static ObjectNode toDocument(NumberRecord record) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode().put("_id", record.id()).put("type", DOCUMENT_TYPE)
                .put("modelVersion", record.modelVersion()).put("number", record.number())
                .put("digits", Base64.getEncoder().encodeToString(NumberDigits.encode(record.digits())))
                .put("createdAt", CouchDbDatabase.TIME.format(record.createdAt()));
        if (record.label() != null) {
            doc.put("label", record.label()).put("labelledAt", CouchDbDatabase.TIME.format(record.labelledAt()));
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
