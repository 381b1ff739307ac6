package dev.stratus.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryException;
import dev.stratus.server.AdminToken;
import dev.stratus.server.kafka.MeterBoard;
import dev.stratus.server.models.ModelLifecycle;
import dev.stratus.server.models.ModelsView;
import dev.stratus.server.predict.BadInputException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/models}: the registry's versions and their live meters for anyone, and the
 * changes (promote, rollback, canary, shadow, retire) for whoever holds the admin token. Each
 * change is written to the registry and then applied here at once, so the answer says what
 * serves now; other servers on the same registry follow within their poll interval.
 */
final class ModelRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRoutes.class);
    static final String PATH = "/api/v1/models";

    private final ModelLifecycle lifecycle;
    private final MeterBoard workers;
    private final AdminToken token;
    private final Supplier<String> fixedVersion;
    private final ObjectMapper json;
    private final Responses responses;

    ModelRoutes(ModelLifecycle lifecycle, MeterBoard workers, AdminToken token, Supplier<String> fixedVersion,
                ObjectMapper json, Responses responses) {
        this.lifecycle = lifecycle;
        this.workers = workers;
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
        if (lifecycle == null) {
            throw new Failures.Refused(409, "this server serves one fixed model; start it with --registry DIR");
        }
        JsonNode body = body(ex);
        String version = body.hasNonNull("version") ? body.get("version").asText() : null;
        ModelRegistry registry = lifecycle.registry();
        try {
            switch (action) {
                case "promote" -> registry.promote(required(version, action));
                case "rollback" -> registry.rollback();
                case "retire" -> registry.retire(required(version, action));
                case "shadow" -> registry.shadow(version);
                case "canary" -> registry.canary(version, share(body, version));
                default -> throw new Failures.Refused(404, "no model action '" + action
                        + "': promote, rollback, canary, shadow or retire");
            }
        } catch (RegistryException e) {
            LOG.warn("admin: {} {} refused for {}: {}", action, version, ex.client(), e.getMessage());
            throw new Failures.Refused(409, e.getMessage());
        }
        boolean swapped = lifecycle.watcher().check();
        LOG.info("admin: {} {} by {}; {}", action, version == null ? "" : version, ex.client(),
                swapped ? "now serving " + lifecycle.router().loadedVersions() : "routing unchanged");
        Map<String, Object> view = ModelsView.of(lifecycle);
        responses.json(ex, view.containsKey("refused") ? HttpResponseStatus.CONFLICT : Responses.OK, view);
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
