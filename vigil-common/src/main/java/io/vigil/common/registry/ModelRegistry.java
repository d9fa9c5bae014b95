package io.vigil.common.registry;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.CameraSettingsList;
import io.vigil.proto.v1.ModelDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Models per camera, or per scene several cameras share, as a directory on the models volume:
 * <pre>
 * ROOT/models/SCOPE/v1/model.onnx         immutable once registered
 * ROOT/models/SCOPE/v1/descriptor.txtpb   ModelDescriptor: training range, metrics, event thresholds
 * ROOT/models/SCOPE/CURRENT               "v2": the version in use, replaced atomically
 * ROOT/models/SCOPE/activations.log       every activation and rollback, so a rollback knows what came before
 * ROOT/cameras.txtpb                      CameraSettingsList: shared scenes, threshold overrides, ignore zones
 * </pre>
 * A directory rather than a compacted topic because a model is megabytes (over Kafka's default message limit) and
 * every scorer replica needs the file anyway; the volume is the one place both live, and {@code ls} and {@code cat}
 * are enough to inspect it. Readers (scorers, the alert-sink) only ever see complete versions: a version directory
 * is written under a temporary name and renamed, and {@code CURRENT} is swapped by an atomic move.
 */
public final class ModelRegistry {

    /** Scope names are directory names: no separators, no dot-dot, nothing a shell or URL must escape. */
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String MODEL_FILE = "model.onnx";
    private static final String DESCRIPTOR_FILE = "descriptor.txtpb";
    private static final String CURRENT_FILE = "CURRENT";
    private static final String ACTIVATIONS_FILE = "activations.log";
    private static final String CAMERAS_FILE = "cameras.txtpb";

    /** One registered version of a scope's model. */
    public record Entry(String scope, int version, Path model, ModelDescriptor descriptor) {
        /** How scores name it: {@code scope/vN@sha256-prefix}. */
        public String id() {
            return scope + "/v" + version + "@" + descriptor.getSha256().substring(0, 12);
        }
    }

    private final Path root;

    public ModelRegistry(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public static boolean isScopeName(String name) {
        return name != null && SCOPE.matcher(name).matches() && !name.contains("..");
    }

    /** The scope whose model scores this camera: its shared scene, else its own id where that can be a scope. */
    public Optional<String> scopeOf(String cameraId, Map<String, CameraSettings> cameras) {
        CameraSettings settings = cameras.get(cameraId);
        if (settings != null && !settings.getScope().isEmpty()) {
            return Optional.of(settings.getScope());
        }
        return isScopeName(cameraId) ? Optional.of(cameraId) : Optional.empty();
    }

    /** The version in use for a scope, if any. */
    public Optional<Entry> current(String scope) {
        Path dir = scopeDir(scope);
        String current;
        try {
            current = Files.readString(dir.resolve(CURRENT_FILE), StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot read " + dir.resolve(CURRENT_FILE), e);
        }
        try {
            return Optional.of(entry(scope, parseVersion(current)));
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot read " + dir.resolve(CURRENT_FILE), e);
        }
    }

    /** Every registered version of a scope, oldest first. */
    public List<Entry> versions(String scope) {
        Path dir = scopeDir(scope);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Integer> numbers = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("v[0-9]+"))
                    .map(ModelRegistry::parseVersion).sorted().toList();
            List<Entry> out = new ArrayList<>();
            for (int n : numbers) {
                out.add(entry(scope, n));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot list " + dir, e);
        }
    }

    /** The scopes that have a version in use (a {@code CURRENT}), from one listing of the registry. */
    public Set<String> activeScopes() {
        Path models = root.resolve("models");
        if (!Files.isDirectory(models)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(models)) {
            return s.filter(dir -> Files.isRegularFile(dir.resolve(CURRENT_FILE))).map(p -> p.getFileName().toString())
                    .filter(ModelRegistry::isScopeName).collect(java.util.stream.Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot list " + models, e);
        }
    }

    /** Every scope with at least one version. */
    public List<String> scopes() {
        Path models = root.resolve("models");
        if (!Files.isDirectory(models)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(models)) {
            return s.map(p -> p.getFileName().toString()).filter(ModelRegistry::isScopeName).sorted()
                    .filter(scope -> !versions(scope).isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot list " + models, e);
        }
    }

    /**
     * Copies a model in as the scope's next version, with its descriptor (scope, version, time and hash filled in),
     * and makes it current when {@code activate}. Registrations of one scope are serialised by a file lock.
     */
    public Entry register(String scope, Path model, ModelDescriptor descriptor, boolean activate) {
        requireScope(scope);
        Path dir = scopeDir(scope);
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
                int version = versions(scope).stream().mapToInt(Entry::version).max().orElse(0) + 1;
                Path staging = Files.createTempDirectory(dir, ".staging-");
                Files.copy(model, staging.resolve(MODEL_FILE));
                ModelDescriptor written = descriptor.toBuilder().setScope(scope).setVersion(version)
                        .setRegisteredTimeMs(System.currentTimeMillis()).setSha256(sha256(staging.resolve(MODEL_FILE))).build();
                writeText(staging.resolve(DESCRIPTOR_FILE), written);
                Files.move(staging, dir.resolve("v" + version), StandardCopyOption.ATOMIC_MOVE);
                if (activate) {
                    activateLocked(scope, version, "activate");
                }
                return entry(scope, version);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot register a model for " + scope + " in " + dir, e);
        }
    }

    /** Makes a registered version the scope's current one. */
    public Entry activate(String scope, int version) {
        return underLock(scope, () -> {
            activateLocked(scope, version, "activate");
            return entry(scope, version);
        });
    }

    /**
     * Goes back to the version that was current before the current one was activated (activations are a stack;
     * a rollback pops it). Fails when there is nothing to go back to.
     */
    public Entry rollback(String scope) {
        return underLock(scope, () -> {
            List<Integer> stack = activationStack(scope);
            if (stack.size() < 2) {
                throw new IllegalStateException("model registry: " + scope + " has no earlier version to roll back to"
                        + (stack.isEmpty() ? " (no version was ever activated)" : " (v" + stack.get(0) + " was the first)"));
            }
            int previous = stack.get(stack.size() - 2);
            activateLocked(scope, previous, "rollback");
            return entry(scope, previous);
        });
    }

    /** Per-camera settings, by camera id (an absent file: none). */
    public Map<String, CameraSettings> cameraSettings() {
        Path file = root.resolve(CAMERAS_FILE);
        if (!Files.exists(file)) {
            return Map.of();
        }
        CameraSettingsList.Builder list = CameraSettingsList.newBuilder();
        try {
            TextFormat.getParser().merge(Files.readString(file, StandardCharsets.UTF_8), list);
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot read " + file, e);
        }
        Map<String, CameraSettings> out = new LinkedHashMap<>();
        for (CameraSettings c : list.getCamerasList()) {
            if (!c.getScope().isEmpty() && !isScopeName(c.getScope())) {
                throw new IllegalArgumentException("model registry: camera " + c.getCameraId() + " in " + file
                        + " names scope '" + c.getScope() + "', which is not a scope name");
            }
            c.getIgnoreZonesList().forEach(IgnoreZones::check);
            out.put(c.getCameraId(), c);
        }
        return out;
    }

    /** Replaces one camera's settings (the file is rewritten whole and swapped atomically). */
    public void putCameraSettings(CameraSettings settings) {
        updateCameraSettings(settings.getCameraId(), old -> settings);
    }

    /**
     * Changes one camera's settings (the defaults when it has none): read, changed and written under a file lock, so
     * the trainer's CLI and the alert-sink's page do not lose each other's changes. Returns what was written.
     */
    public synchronized CameraSettings updateCameraSettings(String cameraId, UnaryOperator<CameraSettings> change) {
        try {
            Files.createDirectories(root);
            try (FileChannel lockFile = FileChannel.open(root.resolve(".cameras.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
                Map<String, CameraSettings> all = new LinkedHashMap<>(cameraSettings());
                CameraSettings settings = change.apply(all.getOrDefault(cameraId,
                        CameraSettings.newBuilder().setCameraId(cameraId).build()));
                settings.getIgnoreZonesList().forEach(IgnoreZones::check);
                if (!settings.getScope().isEmpty()) {
                    requireScope(settings.getScope());
                }
                all.put(cameraId, settings);
                writeText(root.resolve(CAMERAS_FILE), CameraSettingsList.newBuilder().addAllCameras(all.values()).build());
                return settings;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: cannot write " + root.resolve(CAMERAS_FILE) + ": " + e, e);
        }
    }

    private Entry entry(String scope, int version) throws IOException {
        Path dir = scopeDir(scope).resolve("v" + version);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no version v" + version + " of " + scope);
        }
        ModelDescriptor.Builder d = ModelDescriptor.newBuilder();
        TextFormat.getParser().merge(Files.readString(dir.resolve(DESCRIPTOR_FILE), StandardCharsets.UTF_8), d);
        return new Entry(scope, version, dir.resolve(MODEL_FILE), d.build());
    }

    private void activateLocked(String scope, int version, String action) throws IOException {
        entry(scope, version); // must exist
        Path dir = scopeDir(scope);
        Path tmp = Files.createTempFile(dir, ".current-", "");
        Files.writeString(tmp, "v" + version + "\n", StandardCharsets.UTF_8);
        moveAtomically(tmp, dir.resolve(CURRENT_FILE));
        Files.writeString(dir.resolve(ACTIVATIONS_FILE), System.currentTimeMillis() + " " + action + " v" + version + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Replays the activation log: an activation pushes its version, a rollback pops one. */
    private List<Integer> activationStack(String scope) throws IOException {
        Path log = scopeDir(scope).resolve(ACTIVATIONS_FILE);
        List<Integer> stack = new ArrayList<>();
        if (!Files.exists(log)) {
            return stack;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                continue;
            }
            if (f[1].equals("rollback") && !stack.isEmpty()) {
                stack.remove(stack.size() - 1);
            } else if (f[1].equals("activate")) {
                stack.add(parseVersion(f[2]));
            }
        }
        return stack;
    }

    private interface Locked<T> {
        T run() throws IOException;
    }

    private <T> T underLock(String scope, Locked<T> action) {
        requireScope(scope);
        Path dir = scopeDir(scope);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model registry: no models for " + scope + " in " + root);
        }
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            return action.run();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("model registry: " + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException("model registry: " + scope + " in " + root, e);
        }
    }

    private Path scopeDir(String scope) {
        requireScope(scope);
        return root.resolve("models").resolve(scope);
    }

    private static void requireScope(String scope) {
        if (!isScopeName(scope)) {
            throw new IllegalArgumentException("'" + scope + "' is not a scope name (letters, digits, '.', '_', '-'; "
                    + "at most 128; a camera id that is not one needs a scene in " + CAMERAS_FILE + ")");
        }
    }

    private static int parseVersion(String v) {
        if (!v.matches("v[0-9]{1,9}")) {
            throw new IllegalArgumentException("not a model version: '" + v + "' (expected v1, v2, ...)");
        }
        return Integer.parseInt(v.substring(1));
    }

    private static void writeText(Path file, Message message) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        Files.writeString(tmp, TextFormat.printer().printToString(message), StandardCharsets.UTF_8);
        moveAtomically(tmp, file);
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static String sha256(byte[] contents) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(contents));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
