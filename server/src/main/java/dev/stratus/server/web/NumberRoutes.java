package dev.stratus.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.server.predict.NumberService;
import io.netty.handler.codec.http.HttpMethod;
import java.util.function.UnaryOperator;

/**
 * The numbers resource: {@code POST /api/v1/numbers} reads a whole image as a number, {@code GET
 * .../{id}} reads it back, {@code PUT .../{id}/label} corrects it. Images are taken as predictions
 * take them (a data URL in JSON or a raw PNG, the same limits, decoded inline when small), and
 * errors are answered by {@link Failures} as everywhere else.
 */
final class NumberRoutes {
    static final String API = "/api/v1/numbers";

    private final NumberService service;
    private final Bodies bodies;
    private final Responses responses;
    private final UnaryOperator<Router.Handler> offloaded;

    /** {@code offloaded} moves a handler to the blocking pool, as {@link WebApp} does for its own. */
    NumberRoutes(NumberService service, Bodies bodies, Responses responses, UnaryOperator<Router.Handler> offloaded) {
        this.service = service;
        this.bodies = bodies;
        this.responses = responses;
        this.offloaded = offloaded;
    }

    void register(Router router) {
        router.add(HttpMethod.POST, API, bodies.image("application/json ({\"image\": \"data:image/png;base64,...\"})",
                service::read));
        router.add(HttpMethod.GET, API + "/{id}", offloaded.apply(this::find));
        router.add(HttpMethod.PUT, API + "/{id}/label", offloaded.apply(this::label));
    }

    private void find(Exchange ex) {
        String id = ex.pathParam("id");
        responses.json(ex, Responses.OK, service.find(id).orElseThrow(() -> notFound(id)));
    }

    private void label(Exchange ex) {
        String id = ex.pathParam("id");
        JsonNode label = bodies.field(ex, "label", "{\"label\": \"2048\"}");
        if (label == null || !label.isTextual() || label.textValue().isEmpty()) {
            throw new BadInputException("invalid_label", "expected {\"label\": \"...\"}, the number's digits as a string");
        }
        responses.json(ex, Responses.OK, service.label(id, label.textValue(), ex.client())
                .orElseThrow(() -> notFound(id)));
    }

    private static Failures.Refused notFound(String id) {
        return new Failures.Refused(404, "no number with id " + id);
    }
}
