package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCouchDbTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void keeps_databases_and_documents_across_a_stop_and_start(@TempDir Path dir) throws Exception {
        long first;
        long second;
        try (LocalCouchDb couch = LocalCouchDb.start(dir)) {
            assertThat(couch.url()).startsWith("http://127.0.0.1:");
            first = couch.pid();
            assertThat(send(couch, "PUT", "/digits", "").statusCode()).isEqualTo(201);
            assertThat(send(couch, "PUT", "/digits/req-1", "{\"digit\":7}").statusCode()).isEqualTo(201);

            couch.stop();
            assertThat(couch.isRunning()).isFalse();
            assertThat(Processes.accepts(couch.port())).isFalse();

            couch.start();
            second = couch.pid();
            HttpResponse<String> db = send(couch, "GET", "/digits", null);
            assertThat(db.statusCode()).isEqualTo(200);
            assertThat(db.body()).contains("\"db_name\":\"digits\"");
            HttpResponse<String> doc = send(couch, "GET", "/digits/req-1", null);
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.body()).contains("\"digit\":7");
        }
        assertThat(LocalKafkaClusterTest.alive(first)).isFalse();
        assertThat(LocalKafkaClusterTest.alive(second)).isFalse();
    }

    private HttpResponse<String> send(LocalCouchDb couch, String method, String path, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(couch.url() + path))
                .header("Content-Type", "application/json");
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
