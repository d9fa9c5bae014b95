package io.vigil.vision.onnx;

import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.StringStringEntryProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and rewrites an ONNX model's metadata (its {@code metadata_props}), leaving the graph as it is. */
public final class OnnxMetadata {

    private OnnxMetadata() {
    }

    public static Map<String, String> read(Path model) {
        return of(parse(model));
    }

    public static Map<String, String> of(ModelProto model) {
        Map<String, String> out = new LinkedHashMap<>();
        model.getMetadataPropsList().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Writes {@code model} with its metadata entries replaced by {@code updates} (others kept) to {@code out},
     * through a temporary file and an atomic move, so a scorer watching {@code out} never reads half a model; a
     * missing directory is made, so the end of a long calibration is not lost to it.
     */
    public static Path update(Path model, Map<String, String> updates, Path out) {
        ModelProto proto = parse(model);
        Map<String, String> merged = new LinkedHashMap<>();
        proto.getMetadataPropsList().forEach(e -> merged.put(e.getKey(), e.getValue()));
        merged.putAll(updates);
        ModelProto.Builder b = proto.toBuilder().clearMetadataProps();
        merged.forEach((k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        try {
            Path target = out.toAbsolutePath();
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.createDirectories(target.getParent());
            Files.write(tmp, b.build().toByteArray());
            return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ONNX model " + out, e);
        }
    }

    private static ModelProto parse(Path model) {
        try {
            return ModelProto.parseFrom(Files.readAllBytes(model));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ONNX model " + model, e);
        }
    }
}
