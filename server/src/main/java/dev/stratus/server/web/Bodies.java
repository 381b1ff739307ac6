package dev.stratus.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.GreyImage;
import dev.stratus.server.predict.BadInputException;
import dev.stratus.server.predict.Drawing;
import dev.stratus.server.predict.ImageDecoder;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How request bodies are taken, the same for digits and numbers: an image (JSON or a raw PNG,
 * 415 otherwise) decoded on the event loop when small and on the blocking pool when large, then
 * answered with whatever the service completes; and the one field of a small JSON object.
 */
final class Bodies {
    /** Bodies up to this size are decoded on the event loop; larger ones (photographs) on the pool. */
    static final int INLINE_BODY_BYTES = 16 * 1024;

    private final ImageDecoder decoder;
    private final Responses responses;
    private final ObjectMapper json;
    private final UnaryOperator<Router.Handler> offloaded;

    Bodies(ImageDecoder decoder, Responses responses, ObjectMapper json, UnaryOperator<Router.Handler> offloaded) {
        this.decoder = decoder;
        this.responses = responses;
        this.json = json;
        this.offloaded = offloaded;
    }

    /**
     * A route that decodes the image and answers with {@code service}'s result; a body that is
     * neither JSON nor PNG is 415, the sentence saying what to send ({@code accepted}).
     */
    Router.Handler image(String accepted, Function<GreyImage, CompletableFuture<?>> service) {
        return drawing(accepted, drawing -> service.apply(drawing.image()));
    }

    /** As {@link #image}, handing the service the whole drawing: the image and, when sent, the strokes. */
    Router.Handler drawing(String accepted, Function<Drawing, CompletableFuture<?>> service) {
        return ex -> {
            String type = ex.contentType();
            boolean png = type.startsWith("image/png");
            if (!png && !type.startsWith("application/json")) {
                throw new Failures.Refused(415, "send " + accepted + " or image/png, not '"
                        + (type.isEmpty() ? "nothing" : type) + "'");
            }
            Router.Handler answer = inline -> {
                Drawing drawing = png ? Drawing.of(decoder.fromPng(inline.body()))
                        : decoder.drawingFromJson(inline.body());
                service.apply(drawing).whenComplete((view, failure) -> {
                    if (failure != null) {
                        responses.fail(inline, failure);
                    } else {
                        responses.json(inline, Responses.OK, view);
                    }
                });
            };
            (ex.body().length > INLINE_BODY_BYTES ? offloaded.apply(answer) : answer).handle(ex);
        };
    }

    /** Field {@code name} of a JSON object body (null when absent); 415 unless JSON, naming {@code expected}. */
    JsonNode field(Exchange ex, String name, String expected) {
        if (!ex.contentType().startsWith("application/json")) {
            throw new Failures.Refused(415, "send application/json: " + expected);
        }
        JsonNode body;
        try {
            body = json.readTree(ex.body());
        } catch (IOException e) {
            throw new BadInputException("malformed_json", "the body is not valid JSON");
        }
        return body == null ? null : body.get(name);
    }
}
