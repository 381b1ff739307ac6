package dev.stratus.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.cluster.StackCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The CouchDB-API server behind the stack, read directly: a prediction document written more
 * than once (a revision past 1-) means a request was stored twice, which the API cannot show.
 */
final class Couch {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 500;

    private final HttpClient client;
    private final String url;
    private final String authorization;

    /** The server at {@code url}, as {@code login} (the stack's CouchDB admin). */
    Couch(HttpClient client, String url, StackCredentials.Login login) {
        this.client = client;
        this.url = url;
        this.authorization = login.basicAuthorization();
    }

    /** Adds to the tally's duplicates each answered prediction whose document was rewritten. */
    void countRewritten(List<SteadyLoad.Outcome> outcomes, SoakTally tally) throws IOException, InterruptedException {
        List<String> ids = outcomes.stream().filter(SteadyLoad.Outcome::answered)
                .map(o -> o.answer().path("id").asText()).toList();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            ObjectNode body = JSON.createObjectNode();
            ids.subList(from, Math.min(ids.size(), from + CHUNK)).forEach(body.putArray("keys")::add);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url + "/predictions/_all_docs"))
                    .header("Content-Type", "application/json").header("Authorization", authorization)
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("CouchDB at " + url + " answered " + response.statusCode() + " to _all_docs: "
                        + response.body());
            }
            for (JsonNode row : JSON.readTree(response.body()).path("rows")) {
                String revision = row.path("value").path("rev").asText("");
                if (!revision.isEmpty() && !revision.startsWith("1-")) {
                    tally.duplicated.add(row.path("id").asText() + " written again (revision " + revision + ")");
                }
            }
        }
    }
}
