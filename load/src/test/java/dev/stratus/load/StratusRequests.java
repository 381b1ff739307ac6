package dev.stratus.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.jsonFile;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.List;

/**
 * What the simulations send, defined once: the protocol, the page request and the prediction
 * request with a real MNIST digit (from {@code mnist-digits.json}, made by {@code load/mnist-digits.jsh}).
 */
final class StratusRequests {
    static final String PREDICTIONS = "/api/v1/predictions";

    private StratusRequests() {
    }

    /**
     * One connection pool for all virtual users, as a browser population behind a proxy would
     * look: a user per request must not mean a TCP handshake per request.
     */
    static HttpProtocolBuilder protocol(LoadSettings settings) {
        return http.baseUrl(settings.baseUrl())
                .warmUp(settings.baseUrl() + "/api/v1/status")
                .shareConnections()
                .acceptEncodingHeader("identity");
    }

    /** The ten digits, each the first of its class in the MNIST test set, in turn. */
    static FeederBuilder<Object> digits() {
        return jsonFile("mnist-digits.json").circular();
    }

    static HttpRequestActionBuilder page() {
        return http("GET /").get("/").check(status().is(200));
    }

    /** A prediction; the answer must be 200 and name the digit's true label. */
    static HttpRequestActionBuilder predict() {
        return http("POST " + PREDICTIONS).post(PREDICTIONS)
                .body(StringBody("{\"pixels\":[#{pixels}]}")).asJson()
                .check(status().is(200), jsonPath("$.digit").ofInt().is(session -> session.getInt("label")));
    }

    /** The populations one after the other: each starts when the previous one's users are done. */
    static PopulationBuilder inSequence(List<PopulationBuilder> steps) {
        PopulationBuilder chain = steps.get(steps.size() - 1);
        for (int i = steps.size() - 2; i >= 0; i--) {
            chain = steps.get(i).andThen(chain);
        }
        return chain;
    }
}
