package dev.stratus.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.server.AdminToken;
import dev.stratus.server.kafka.MeterBoard;
import dev.stratus.server.models.ModelAdmin;
import dev.stratus.server.models.ModelLifecycle;
import dev.stratus.server.models.ModelsView;
import dev.stratus.server.predict.BadInputException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/models}: the registry's versions and their live meters for anyone, and the
 * changes (promote, rollback, canary, shadow, retire) for whoever holds the admin token. Each
 * change goes through {@link ModelAdmin}: written to the registry and then applied at once (an
 * embedded server swaps, a Kafka gateway publishes to the workers), so the answer says what
 * serves now; other servers on the same registry follow within their poll interval.
 */
final class ModelRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRoutes.class);
    static final String PATH = "/api/v1/models";

    private final ModelLifecycle lifecycle;
    private final MeterBoard workers;
    private final ModelAdmin admin;
    private final AdminToken token;
    private final Supplier<String> fixedVersion;
    private final ObjectMapper json;
    private final Responses responses;

    ModelRoutes(ModelLifecycle lifecycle, MeterBoard workers, ModelAdmin admin, AdminToken token,
                Supplier<String> fixedVersion, ObjectMapper json, Responses responses) {
        this.lifecycle = lifecycle;
        this.workers = workers;
        this.admin = admin;
        this.token = token;
        this.fixedVersion = fixedVersion;
        this.json = json;
        this.responses = responses;
    }

    void list(Exchange ex) throws IOException {
        Map<String, Object> view;
        if (lifecycle != null) {
            view = ModelsView.of(lifecycle);
        } else if (workers != null) {
            view = workers.view(System.currentTimeMillis());
            view.putIfAbsent("serving", fixedVersion.get());
        } else {
            view = ModelsView.fixed(fixedVersion.get());
        }
        responses.json(ex, Responses.OK, view);
    }

    /** {@code POST /api/v1/models/{action}}: promote, rollback, canary, shadow or retire. */
    void change(Exchange ex) throws IOException {
        String action = ex.pathParam("action");
        if (!token.enabled()) {
            throw new Failures.Refused(404, "the admin routes are off: start the server with STRATUS_ADMIN_TOKEN set");
        }
        if (!token.accepts(ex.header("Authorization"))) {
            LOG.warn("admin: {} refused for {}: no valid token", action, ex.client());
            throw new Failures.Refused(401, "send the admin token: Authorization: Bearer <STRATUS_ADMIN_TOKEN>");
        }
        if (admin == null) {
            throw new Failures.Refused(409, "this server serves one fixed model; start it with --registry DIR");
        }
        if (!ModelAdmin.ACTIONS.contains(action)) {
            throw new Failures.Refused(404, "no model action '" + action + "': promote, rollback, canary, shadow or retire");
        }
        JsonNode body = body(ex);
        String version = body.hasNonNull("version") ? body.get("version").asText() : null;
        ModelAdmin.Outcome outcome;
        try {
            outcome = switch (action) {
                case "promote", "retire" -> admin.apply(action, required(version, action), 0);
                case "canary" -> admin.apply(action, version, share(body, version));
                default -> admin.apply(action, version, 0);
            };
        } catch (RegistryException e) {
            LOG.warn("admin: {} {} refused for {}: {}", action, version, ex.client(), e.getMessage());
            throw new Failures.Refused(409, e.getMessage());
        }
        LOG.info("admin: {} {} by {}; {}", action, version == null ? "" : version, ex.client(),
                outcome.refused().map(reason -> "refused: " + reason).orElse("active " + outcome.state().active()));
        Map<String, Object> view = lifecycle != null ? ModelsView.of(lifecycle) : published(outcome);
        responses.json(ex, outcome.refused().isPresent() ? HttpResponseStatus.CONFLICT : Responses.OK, view);
    }

    /** A Kafka gateway's answer: the registry's state and whether it reached the workers. */
    private static Map<String, Object> published(ModelAdmin.Outcome outcome) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("managed", true);
        view.put("active", outcome.state().active());
        view.put("previous", outcome.state().previous());
        view.put("canary", outcome.state().canary());
        view.put("shadow", outcome.state().shadow());
        view.put("published", outcome.refused().isEmpty());
        outcome.refused().ifPresent(reason -> view.put("refused", reason));
        return view;
    }

    private JsonNode body(Exchange ex) {
        if (ex.body().length == 0) {
            return json.createObjectNode();
        }
        if (!ex.contentType().startsWith("application/json")) {
            throw new Failures.Refused(415, "send application/json: {\"version\": \"...\"}");
        }
        try {
            JsonNode body = json.readTree(ex.body());
            if (body == null || !body.isObject()) {
                throw new BadInputException("malformed_json", "the body is not a JSON object");
            }
            return body;
        } catch (IOException e) {
            throw new BadInputException("malformed_json", "the body is not valid JSON");
        }
    }

    private static String required(String version, String action) {
        if (version == null || version.isBlank()) {
            throw new BadInputException("invalid_version", action + " needs {\"version\": \"...\"}");
        }
        return version;
    }

    private static double share(JsonNode body, String version) {
        if (version == null) {
            return 0;
        }
        JsonNode share = body.get("share");
        if (share == null || !share.isNumber() || !(share.doubleValue() > 0 && share.doubleValue() < 1)) {
            throw new BadInputException("invalid_share", "a canary needs {\"version\": \"...\", \"share\": x} with 0 < x < 1");
        }
        return share.doubleValue();
    }
}
