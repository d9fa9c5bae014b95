package io.vigil.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of Kustomize our manifests use, so tests can render the overlays without the kustomize binary:
 * {@code resources} (files and directories), strategic-merge {@code patches} (maps merged, lists of named items
 * merged by name, {@code $patch: delete}), {@code images} (newName/newTag), {@code secretGenerator} from files
 * without hash suffix, and {@code namespace}. Each level renders its resources, then applies its own
 * transformations, as Kustomize does.
 */
final class Kustomize {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

    private Kustomize() {
    }

    static List<ObjectNode> render(Path dir) throws IOException {
        JsonNode k = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            out.addAll(Files.isDirectory(p) ? render(p) : read(p));
        }
        for (JsonNode g : k.path("secretGenerator")) {
            ObjectNode secret = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "Secret");
            secret.putObject("metadata").put("name", g.path("name").asText());
            ObjectNode data = secret.putObject("data");
            for (JsonNode f : g.path("files")) {
                String[] kv = f.asText().split("=", 2);
                Path file = dir.resolve(kv.length == 2 ? kv[1] : kv[0]);
                data.put(kv.length == 2 ? kv[0] : file.getFileName().toString(),
                        Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
            }
            out.add(secret);
        }
        for (JsonNode p : k.path("patches")) {
            for (ObjectNode patch : read(dir.resolve(p.path("path").asText()))) {
                ObjectNode target = find(out, patch.path("kind").asText(), patch.path("metadata").path("name").asText());
                if (target == null) {
                    throw new IOException("patch " + p.path("path").asText() + " targets " + patch.path("kind").asText() + "/"
                            + patch.path("metadata").path("name").asText() + ", which is not in " + dir);
                }
                if ("delete".equals(patch.path("$patch").asText())) {
                    out.remove(target);
                } else {
                    merge(target, patch);
                }
            }
        }
        for (JsonNode image : k.path("images")) {
            for (ObjectNode r : out) {
                for (JsonNode c : r.path("spec").path("template").path("spec").path("containers")) {
                    String current = c.path("image").asText();
                    int colon = current.lastIndexOf(':');
                    String name = colon > current.lastIndexOf('/') ? current.substring(0, colon) : current;
                    String tag = colon > current.lastIndexOf('/') ? current.substring(colon + 1) : null;
                    if (name.equals(image.path("name").asText())) {
                        String newName = image.path("newName").asText(name);
                        String newTag = image.path("newTag").asText(tag);
                        ((ObjectNode) c).put("image", newTag == null ? newName : newName + ":" + newTag);
                    }
                }
            }
        }
        if (k.has("namespace")) {
            for (ObjectNode r : out) {
                if (!CLUSTER_SCOPED.contains(r.path("kind").asText())) {
                    ((ObjectNode) r.path("metadata")).put("namespace", k.path("namespace").asText());
                }
            }
        }
        return out;
    }

    static List<ObjectNode> read(Path file) throws IOException {
        List<ObjectNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n instanceof ObjectNode o && !o.isEmpty()) {
                    docs.add(o);
                }
            }
        }
        return docs;
    }

    static ObjectNode find(List<ObjectNode> resources, String kind, String name) {
        for (ObjectNode r : resources) {
            if (r.path("kind").asText().equals(kind) && r.path("metadata").path("name").asText().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** Strategic merge: maps recursively; lists whose items have a name merge by name; other lists are replaced. */
    static void merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode current = target.get(e.getKey());
            JsonNode value = e.getValue();
            if (current instanceof ObjectNode c && value.isObject()) {
                merge(c, value);
            } else if (current instanceof ArrayNode c && value.isArray() && named(value)) {
                for (JsonNode item : value) {
                    ObjectNode match = null;
                    for (JsonNode existing : c) {
                        if (existing.path("name").asText().equals(item.path("name").asText())) {
                            match = (ObjectNode) existing;
                        }
                    }
                    if (match != null) {
                        merge(match, item);
                    } else {
                        c.add(item.deepCopy());
                    }
                }
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        }
    }

    private static boolean named(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isObject() || !item.has("name")) {
                return false;
            }
        }
        return !array.isEmpty();
    }
}
