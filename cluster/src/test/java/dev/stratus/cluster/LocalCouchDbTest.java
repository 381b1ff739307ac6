package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
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

    /** Failed before: 201, then 200 with the document; and with an admin set, the PUT made pouchdb-server exit. */
    @Test
    void refuses_anonymous_and_wrong_logins_and_survives_them(@TempDir Path dir) throws Exception {
        try (LocalCouchDb couch = LocalCouchDb.start(dir)) {
            assertThat(send(couch, "PUT", "/predictions", "").statusCode()).isEqualTo(201);
            assertThat(send(couch, "PUT", "/predictions/p-1", "{\"digit\":7}").statusCode()).isEqualTo(201);

            HttpResponse<String> create = anonymous(couch, "PUT", "/anyone", null);
            assertThat(create.statusCode()).isEqualTo(401);
            assertThat(create.body()).contains("\"error\":\"unauthorized\"");
            assertThat(anonymous(couch, "GET", "/predictions/p-1", null).statusCode()).isEqualTo(401);
            assertThat(anonymous(couch, "GET", "/predictions/_all_docs", null).statusCode()).isEqualTo(401);
            assertThat(anonymous(couch, "GET", "/_all_dbs", null).statusCode()).isEqualTo(401);
            assertThat(anonymous(couch, "PUT", "/predictions/p-2", "Basic "
                    + Base64.getEncoder().encodeToString((couch.admin().user() + ":wrong-password").getBytes()))
                    .statusCode()).isEqualTo(401);

            assertThat(couch.isRunning()).isTrue();
            HttpResponse<String> databases = send(couch, "GET", "/_all_dbs", null);
            assertThat(databases.statusCode()).isEqualTo(200);
            assertThat(databases.body()).contains("predictions").doesNotContain("anyone");
        }
    }

    /** Failed before: pouchdb-server's default CORS echoed any Origin with Access-Control-Allow-Credentials: true. */
    @Test
    void answers_no_cross_origin_request(@TempDir Path dir) throws Exception {
        try (LocalCouchDb couch = LocalCouchDb.start(dir)) {
            for (String method : List.of("GET", "OPTIONS")) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(couch.url() + "/"))
                        .header("Authorization", couch.authorization()).header("Origin", "http://evil.example")
                        .header("Access-Control-Request-Method", "PUT")
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

                assertThat(answer.headers().map().keySet()).noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
            }
        }
    }

    @Test
    void keeps_its_directory_and_configuration_private(@TempDir Path dir) throws Exception {
        try (LocalCouchDb couch = LocalCouchDb.start(dir.resolve("couchdb"))) {
            assertThat(Files.getPosixFilePermissions(dir.resolve("couchdb")))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                            PosixFilePermission.OWNER_EXECUTE);
            // Not on its command line, which every user of the machine can read.
            assertThat(ProcessHandle.of(couch.pid()).flatMap(p -> p.info().commandLine()).orElse(""))
                    .doesNotContain(couch.admin().password());
            assertThat(couch.admin().toString()).doesNotContain(couch.admin().password());
        }
    }

    private HttpResponse<String> send(LocalCouchDb couch, String method, String path, String json)
            throws IOException, InterruptedException {
        return request(couch, method, path, json, couch.authorization());
    }

    private HttpResponse<String> anonymous(LocalCouchDb couch, String method, String path, String authorization)
            throws IOException, InterruptedException {
        return request(couch, method, path, method.equals("PUT") ? "{}" : null, authorization);
    }

    private HttpResponse<String> request(LocalCouchDb couch, String method, String path, String json,
                                         String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(couch.url() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
