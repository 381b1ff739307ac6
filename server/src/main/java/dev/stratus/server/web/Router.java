package dev.stratus.server.web;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes by method and path template ({@code /api/v1/predictions/{id}}): a handful of routes,
 * matched segment by segment in the order they were added. A path that some route has but not
 * for this method is 405.
 */
final class Router {

    /** What a route does with its exchange; may answer now or later, from any thread. */
    @FunctionalInterface
    interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    private record Route(HttpMethod method, String template, String[] segments, Handler handler) {
        /** The path parameters if the path fits this template, else null. */
        Map<String, String> match(String[] parts) {
            if (parts.length != segments.length) {
                return null;
            }
            Map<String, String> params = Map.of();
            for (int i = 0; i < parts.length; i++) {
                String segment = segments[i];
                if (segment.startsWith("{")) {
                    if (parts[i].isEmpty()) {
                        return null;
                    }
                    if (params.isEmpty()) {
                        params = new HashMap<>(2);
                    }
                    params.put(segment.substring(1, segment.length() - 1), parts[i]);
                } else if (!segment.equals(parts[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    private final List<Route> routes = new ArrayList<>();

    void add(HttpMethod method, String template, Handler handler) {
        routes.add(new Route(method, template, template.split("/", -1), handler));
    }

    /** Runs the matching route's handler; false when no route has this path. */
    boolean dispatch(Exchange exchange) throws Exception {
        String[] parts = exchange.path().split("/", -1);
        boolean pathKnown = false;
        for (Route route : routes) {
            Map<String, String> params = route.match(parts);
            if (params == null) {
                continue;
            }
            pathKnown = true;
            if (route.method().equals(exchange.method())) {
                exchange.matched(route.template(), params);
                route.handler().handle(exchange);
                return true;
            }
        }
        if (pathKnown) {
            throw new Failures.Refused(405, exchange.method() + " is not allowed on " + exchange.path());
        }
        return false;
    }
}
