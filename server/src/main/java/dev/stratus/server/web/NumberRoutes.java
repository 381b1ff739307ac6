package dev.stratus.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.GreyImage;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.server.predict.ImageDecoder;
import dev.stratus.server.predict.NumberService;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
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
    private final ImageDecoder decoder;
    private final Responses responses;
    private final ObjectMapper json;
    private final UnaryOperator<Router.Handler> offloaded;

    /** {@code offloaded} moves a handler to the blocking pool, as {@link WebApp} does for its own. */
    NumberRoutes(NumberService service, ImageDecoder decoder, Responses responses, ObjectMapper json,
                 UnaryOperator<Router.Handler> offloaded) {
        this.service = service;
        this.decoder = decoder;
        this.responses = responses;
        this.json = json;
        this.offloaded = offloaded;
    }

    void register(Router router) {
        router.add(HttpMethod.POST, API, this::read);
        router.add(HttpMethod.GET, API + "/{id}", offloaded.apply(this::find));
        router.add(HttpMethod.PUT, API + "/{id}/label", offloaded.apply(this::label));
    }

    private void read(Exchange ex) throws Exception {
        String type = ex.contentType();
        boolean png = type.startsWith("image/png");
        if (!png && !type.startsWith("application/json")) {
            throw new Failures.Refused(415, "send application/json ({\"image\": \"data:image/png;base64,...\"}) "
                    + "or image/png, not '" + (type.isEmpty() ? "nothing" : type) + "'");
        }
        if (ex.body().length > WebApp.INLINE_BODY_BYTES) {
            offloaded.apply(large -> answer(large, png)).handle(ex);
        } else {
            answer(ex, png);
        }
    }

    private void answer(Exchange ex, boolean png) {
        GreyImage image = png ? decoder.fromPng(ex.body()) : decoder.fromJson(ex.body());
        service.read(image).whenComplete((view, failure) -> {
            if (failure != null) {
                responses.fail(ex, failure);
            } else {
                responses.json(ex, Responses.OK, view);
            }
        });
    }

    private void find(Exchange ex) {
        String id = ex.pathParam("id");
        responses.json(ex, Responses.OK, service.find(id).orElseThrow(() -> notFound(id)));
    }

    private void label(Exchange ex) {
        String id = ex.pathParam("id");
        if (!ex.contentType().startsWith("application/json")) {
            throw new Failures.Refused(415, "send application/json: {\"label\": \"2048\"}");
        }
        JsonNode body;
        try {
            body = json.readTree(ex.body());
        } catch (IOException e) {
            throw new BadInputException("malformed_json", "the body is not valid JSON");
        }
        JsonNode label = body == null ? null : body.get("label");
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
