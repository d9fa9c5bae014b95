package io.vigil.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders a kustomization with the real tool, as {@code kubectl apply -k} does: {@code kubectl kustomize}, or
 * {@code kustomize build} where only that binary is installed. Without either the tests that render are skipped,
 * except under {@code CI=true}, where they fail.
 */
final class Kustomize {

    private static final YAMLMapper YAML = new YAMLMapper();

    private Kustomize() {
    }

    static List<ObjectNode> render(Path dir) throws IOException, InterruptedException {
        List<String> command = command(dir);
        File errors = File.createTempFile("kustomize", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(errors).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed with status " + p.exitValue() + ": "
                        + Files.readString(errors.toPath()));
            }
            return read(new String(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(errors.toPath());
        }
    }

    /** The documents of a multi-document YAML stream. */
    static List<ObjectNode> read(String yaml) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc instanceof ObjectNode o) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    static ObjectNode find(List<ObjectNode> resources, String kind, String name) {
        return resources.stream().filter(r -> r.path("kind").asText().equals(kind)
                && r.path("metadata").path("name").asText().equals(name)).findFirst().orElse(null);
    }

    private static List<String> command(Path dir) {
        String target = dir.toAbsolutePath().toString();
        if (onPath("kubectl")) {
            return List.of("kubectl", "kustomize", target);
        }
        if (onPath("kustomize")) {
            return List.of("kustomize", "build", target);
        }
        String missing = "neither kubectl nor kustomize is on the PATH: the manifests cannot be rendered";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(missing);
        }
        Assumptions.abort(missing);
        return List.of();
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
