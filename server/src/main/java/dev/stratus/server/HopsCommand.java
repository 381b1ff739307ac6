package dev.stratus.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stratus.core.config.EnvVar;
import dev.stratus.server.kafka.HopBenchmark;
import dev.stratus.server.kafka.HopBenchmark.Hop;
import dev.stratus.server.kafka.KafkaSettings;
import dev.stratus.server.store.CouchDbSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stratus bench hops}: the latency floor of the distributed pipeline, hop by hop. */
@Command(name = "bench-hops", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Times each hop a prediction makes through the distributed pipeline, one message at a time:",
                "a Kafka hop as the pipeline sends it, the cheapest possible Kafka hop, and a CouchDB write.",
                "Two Kafka hops and one write are the floor under any end-to-end answer on this cluster.",
                "Run it against a running cluster, e.g. the one `./stratus up --distributed` prints."})
final class HopsCommand implements ServerCommand {

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--samples", defaultValue = "200", description = "Measured messages per hop (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--warmup", defaultValue = "50", description = "Unmeasured messages per hop first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--out", description = "Also write the results as JSON to this file.")
    Path out;

    @Override
    public List<EnvVar> environment() {
        return ServerEnvironment.HOPS;
    }

    @Override
    public int call(ServerEnvironment env) throws Exception {
        KafkaSettings kafka = cluster.kafka(env.kafka());
        CouchDbSettings couchDb = cluster.couchDb(env.couchDb());
        List<Hop> hops = new HopBenchmark(kafka, couchDb, samples, warmup,
                line -> System.out.println("measuring " + line)).run();
        System.out.println();
        System.out.printf("%-12s %8s %8s %8s %8s %8s%n", "hop", "samples", "p50 ms", "p90 ms", "p99 ms", "max ms");
        for (Hop hop : hops) {
            System.out.printf("%-12s %8d %8.2f %8.2f %8.2f %8.2f%n", hop.name(), hop.micros().length, hop.millis(0.5),
                    hop.millis(0.9), hop.millis(0.99), hop.millis(1.0));
        }
        Map<String, Hop> byName = hops.stream().collect(Collectors.toMap(Hop::name, Function.identity()));
        double floor = 2 * byName.get("kafka").millis(0.5) + byName.get("couchdb").millis(0.5);
        System.out.printf("%nA prediction makes 2 Kafka hops and 1 CouchDB write: %.1f ms of medians before any"
                + " HTTP, inference or queueing.%n", floor);
        if (out != null) {
            write(hops, floor, kafka.bootstrapServers(), couchDb.url().toString());
            System.out.println("Results: " + out);
        }
        return 0;
    }

    private void write(List<Hop> hops, double floorMillis, String bootstrap, String couchDb) throws java.io.IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "hops");
        root.put("finishedAt", Instant.now().toString());
        root.put("bootstrap", bootstrap);
        root.put("couchdb", couchDb);
        root.put("samples", samples);
        root.put("warmup", warmup);
        root.put("floorMillis", floorMillis);
        ArrayNode list = root.putArray("hops");
        for (Hop hop : hops) {
            ObjectNode node = list.addObject().put("name", hop.name()).put("what", hop.what());
            node.put("p50Millis", hop.millis(0.5)).put("p90Millis", hop.millis(0.9))
                    .put("p99Millis", hop.millis(0.99)).put("maxMillis", hop.millis(1.0));
            ArrayNode micros = node.putArray("micros");
            for (long m : hop.micros()) {
                micros.add(m);
            }
        }
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        json.writeValue(out.toFile(), root);
    }
}
