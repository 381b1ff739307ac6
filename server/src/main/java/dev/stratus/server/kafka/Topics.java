package dev.stratus.server.kafka;

/** The Kafka contract between gateways and workers: topic names and header keys, defined once. */
public final class Topics {
    /** Requests from every gateway; key = request id. */
    public static final String REQUESTS = "digit-requests";
    /** The model control topic, compacted: models, the smoke sample and the routing ({@link ModelControl}). */
    public static final String MODELS = "stratus-models";
    /** Each worker's per-version meters, compacted, key = worker id ({@link MeterSnapshot}); gateways read it. */
    public static final String METERS = "stratus-meters";
    /** Messages that could not be processed, with the reason in headers. */
    public static final String DEAD_LETTERS = "digit-requests.dlq";
    /** Prefix of each gateway's own reply topic: {@code digit-replies.<gateway id>}. */
    public static final String REPLIES_PREFIX = "digit-replies.";

    public static final String CORRELATION_ID = "correlation-id";
    public static final String REPLY_TO = "reply-to";
    public static final String DLQ_REASON = "dlq-reason";
    public static final String DLQ_SOURCE = "dlq-source";

    private Topics() {
    }

    public static String repliesFor(String gatewayId) {
        return REPLIES_PREFIX + gatewayId;
    }
}
