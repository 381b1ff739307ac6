package dev.stratus.server.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link BareServer} on Vert.x (its HTTP server on Netty, one event loop per core): the same
 * route, reading each body whole and answering a real answer's bytes, and nothing else. Requests
 * are handled on the event loop that read them; no other thread is crossed.
 *
 * <p>Usage: {@code VertxBareServer PORT [ANSWER_FILE] [EVENT_LOOPS]}.
 */
public final class VertxBareServer {
    private VertxBareServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        byte[] bytes = BareServer.realAnswer();
        if (args.length > 1) {
            Files.write(Path.of(args[1]), bytes);
        }
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        Buffer answer = Buffer.buffer(bytes);
        Buffer ready = Buffer.buffer("{\"status\":\"ready\"}".getBytes(StandardCharsets.UTF_8));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(request -> {
                    if (request.method() == HttpMethod.POST && "/api/v1/predictions".equals(request.path())) {
                        request.body().onSuccess(body -> request.response()
                                .putHeader("Content-Type", "application/json").end(answer));
                    } else if (request.method() == HttpMethod.GET && "/api/v1/status".equals(request.path())) {
                        request.response().putHeader("Content-Type", "application/json").end(ready);
                    } else {
                        request.response().setStatusCode(404).end();
                    }
                });
        // One server instance per event loop: Vert.x spreads accepted connections over them.
        for (int i = 1; i < loops; i++) {
            vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                    .requestHandler(server.requestHandler()).listen().await();
        }
        HttpServer listening = server.listen().await();
        System.out.println("Vert.x bare server ready on http://127.0.0.1:" + listening.actualPort() + " ("
                + bytes.length + "-byte answer, " + loops + " event loops)");
    }
}
