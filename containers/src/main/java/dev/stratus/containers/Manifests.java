package dev.stratus.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Multi-document Kubernetes YAML: read into trees, pick objects by kind and name, write back. */
public final class Manifests {
    private static final YAMLFactory YAML = YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();
    private static final ObjectMapper MAPPER = new ObjectMapper(YAML);

    private Manifests() {
    }

    public static List<ObjectNode> read(String yaml) {
        List<ObjectNode> objects = new ArrayList<>();
        try (var parser = YAML.createParser(yaml)) {
            var values = MAPPER.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                if (values.next() instanceof ObjectNode object) {
                    objects.add(object);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the rendered manifests", e);
        }
        return objects;
    }

    /** The object of {@code kind} named {@code name}, or a failure that says it is missing. */
    public static ObjectNode find(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new ContainerFailure("the rendered manifests have no " + kind + " " + name));
    }

    public static String write(List<? extends JsonNode> objects) {
        StringWriter out = new StringWriter();
        try {
            for (int i = 0; i < objects.size(); i++) {
                if (i > 0) {
                    out.write("---\n");
                }
                out.write(MAPPER.writeValueAsString(objects.get(i)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
