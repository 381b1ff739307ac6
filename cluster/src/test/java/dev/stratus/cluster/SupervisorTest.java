package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's supervisor on real processes (one Kafka node and the CouchDB-API server): each,
 * killed with SIGKILL, runs again under a new pid, answers again, and is listed in members.tsv.
 */
class SupervisorTest {
    @Test
    void a_killed_part_of_the_stack_is_started_again_and_listed_with_its_new_pid(@TempDir Path dir) throws Exception {
        List<String> told = new CopyOnWriteArrayList<>();
        try (DistributedStack stack = new DistributedStack(
                new DistributedStack.Settings(Processes.freePort(), 1, 0, 0, dir, null), told::add)) {
            stack.start();
            Map<String, Long> before = members(dir);
            assertThat(before).containsOnlyKeys("kafka-0", "couchdb");

            for (String role : List.of("couchdb", "kafka-0")) {
                ProcessHandle.of(before.get(role)).orElseThrow().destroyForcibly();
                long deadline = System.nanoTime() + 90_000_000_000L;
                while (System.nanoTime() < deadline && (members(dir).get(role) == null
                        || members(dir).get(role).equals(before.get(role)))) {
                    Thread.sleep(200);
                }
                Long after = members(dir).get(role);
                assertThat(after).as(role + " listed again under a new pid; told: " + told).isNotNull()
                        .isNotEqualTo(before.get(role));
                assertThat(ProcessHandle.of(after)).as(role).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
            }
            assertThat(told).anySatisfy(line -> assertThat(line).startsWith("supervisor: couchdb (pid "
                    + before.get("couchdb") + ") exited; starting it again in 1000 ms"));
            int couchPort = stack.members().stream().filter(m -> m.role().equals("couchdb")).findFirst()
                    .orElseThrow().port();
            // With the login the work directory keeps: the restarted server has the same admin.
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + couchPort + "/"))
                    .header("Authorization", StackCredentials.forWorkDir(dir).couchDb().basicAuthorization()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(Leftovers.find(dir.toAbsolutePath())).as("nothing is left running").isEmpty();
    }

    private static Map<String, Long> members(Path dir) {
        Map<String, Long> pids = new HashMap<>();
        MembersFile.read(dir).forEach(member -> pids.put(member.role(), member.pid()));
        return pids;
    }
}
