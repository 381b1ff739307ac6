package dev.stratus.server.web;

import dev.stratus.server.pipeline.BrokerException;
import dev.stratus.server.pipeline.PipelineClosedException;
import dev.stratus.server.pipeline.PipelineFullException;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.server.predict.DecoderBusyException;
import dev.stratus.server.predict.InferenceTimeoutException;
import dev.stratus.server.predict.WhyUnavailableException;
import dev.stratus.server.store.StoreException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure as the client sees it, decided here and only here: a status, an {@code error}
 * code, a sentence, and the headers that go with them (Retry-After where a retry will help).
 */
final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

    /** What a failure answers. {@code retryAfterSeconds} is 0 when no Retry-After is sent. */
    record Answer(int status, String code, String detail, long retryAfterSeconds) {
        Answer(int status, String code, String detail) {
            this(status, code, detail, 0);
        }
    }

    /** The request was refused by the web layer itself, before any handler: the status says why. */
    static final class Refused extends RuntimeException {
        final int status;
        final long retryAfterSeconds;

        Refused(int status, String detail) {
            this(status, detail, 0);
        }

        Refused(int status, String detail, long retryAfterSeconds) {
            super(detail, null, false, false);
            this.status = status;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    private Failures() {
    }

    static Answer of(Throwable failure, Exchange exchange) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof BadInputException bad) {
            return new Answer(400, bad.code(), bad.getMessage());
        } else if (e instanceof Refused refused) {
            return new Answer(refused.status, codeFor(refused.status), refused.getMessage(), refused.retryAfterSeconds);
        } else if (e instanceof PipelineFullException || e instanceof DecoderBusyException) {
            return new Answer(503, "overloaded", e.getMessage(), 1);
        } else if (e instanceof PipelineClosedException) {
            return new Answer(503, "shutting_down", e.getMessage());
        } else if (e instanceof BrokerException broker) {
            return broker.kind() == BrokerException.Kind.REFUSED
                    ? new Answer(502, "broker_refused", e.getMessage())
                    : new Answer(503, "broker_unavailable", e.getMessage(), 5);
        } else if (e instanceof RejectedExecutionException) {
            return new Answer(503, "overloaded", "the server has more work waiting than it takes; retry shortly", 1);
        } else if (e instanceof WhyUnavailableException) {
            return new Answer(501, "why_unavailable", e.getMessage());
        } else if (e instanceof InferenceTimeoutException) {
            return new Answer(504, "timeout", e.getMessage());
        } else if (e instanceof StoreException) {
            LOG.error("store failure", e);
            return new Answer(503, "store_unavailable", "the prediction store is unavailable; retry shortly", 1);
        }
        LOG.error("unexpected failure on {} {}", exchange.method(), exchange.path(), e);
        return new Answer(500, "internal_error", "an unexpected error occurred; it has been logged");
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "body_too_large";
            case 414 -> "uri_too_long";
            case 409 -> "conflict";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limited";
            case 431 -> "headers_too_large";
            case 503 -> "overloaded";
            default -> "http_" + status;
        };
    }
}
