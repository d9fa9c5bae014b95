package io.vigil.common.scoring;

import io.vigil.common.registry.IgnoreZones;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import io.vigil.proto.v1.ObjectSequence;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Which model scores which camera: the camera's scope's current version in the {@link ModelRegistry}, else the
 * default model. Scope models are loaded on a camera's first sequence and kept in a bounded cache (least recently
 * used out). {@link #refresh()} runs on the reload tick: it reloads the scopes whose current version changed, and
 * looks again for scopes that had none, so a registration or a rollback reaches every camera of the scope within one
 * tick and no other camera.
 */
public final class CameraModels implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CameraModels.class);

    private final ScoringModel defaultModel;
    private final Optional<ModelRegistry> registry;
    private final Function<ScoringModel.Source, ScoringModel> loader;
    private final int maxLoaded;
    /** Loaded scope models, least recently used first. */
    private final LinkedHashMap<String, ScoringModel> loaded = new LinkedHashMap<>(16, 0.75f, true);
    /** Scopes that had no usable current version at the last look (scored by the default until the next refresh). */
    private final Set<String> withoutModel = new HashSet<>();
    private Map<String, CameraSettings> cameras = Map.of();
    /** Scopes with a version in use, as of the last tick: the others are not looked up while scoring. */
    private Set<String> activeScopes = Set.of();
    private final Map<String, Optional<String>> scopeByCamera = new HashMap<>();
    private long evictions;
    private long loadFailures;

    public CameraModels(ScoringModel defaultModel, Optional<ModelRegistry> registry, int maxLoaded,
            Function<ScoringModel.Source, ScoringModel> loader) {
        this.defaultModel = defaultModel;
        this.registry = registry;
        this.maxLoaded = maxLoaded;
        this.loader = loader;
        registry.ifPresent(r -> {
            cameras = cameraSettings(r, Map.of());
            activeScopes = activeScopes(r, Set.of());
        });
    }

    private static Set<String> activeScopes(ModelRegistry registry, Set<String> previous) {
        try {
            return registry.activeScopes();
        } catch (RuntimeException e) {
            LOG.errorf("model registry %s not listable, keeping the previous scopes: %s", registry.root(), e.getMessage());
            return previous;
        }
    }

    /** The registry's camera settings; unreadable ones keep {@code previous} (a bad file must not stop scoring). */
    private static Map<String, CameraSettings> cameraSettings(ModelRegistry registry, Map<String, CameraSettings> previous) {
        try {
            return registry.cameraSettings();
        } catch (RuntimeException e) {
            LOG.errorf("camera settings in %s not usable, keeping the previous ones: %s", registry.root(), e.getMessage());
            return previous;
        }
    }

    /** The camera's NOT_SCORED zone that holds this object, if any (from the registry's camera settings). */
    public synchronized Optional<IgnoreZone> notScoredZone(ObjectSequence s) {
        return IgnoreZones.find(cameras.get(s.getCameraId()), IgnoreMode.NOT_SCORED, s.getDetection().getBox(),
                s.getFrameWidth(), s.getFrameHeight());
    }

    /** The version that scores this camera's next batch, acquired: release it when the batch is done. */
    public synchronized ScoringModel.Version acquire(String cameraId) {
        return modelFor(cameraId).acquire();
    }

    private ScoringModel modelFor(String cameraId) {
        if (registry.isEmpty()) {
            return defaultModel;
        }
        Optional<String> scope = scopeByCamera.computeIfAbsent(cameraId, c -> registry.get().scopeOf(c, cameras));
        if (scope.isEmpty() || !activeScopes.contains(scope.get()) || withoutModel.contains(scope.get())) {
            return defaultModel;
        }
        ScoringModel model = loaded.get(scope.get());
        if (model != null) {
            return model;
        }
        try {
            if (registry.get().current(scope.get()).isEmpty()) {
                withoutModel.add(scope.get()); // looked at again on the next tick
                return defaultModel;
            }
            model = loader.apply(ScoringModel.registered(registry.get(), scope.get()));
        } catch (RuntimeException e) {
            // Scored by the default model meanwhile (every score names its model), tried again on the next tick.
            loadFailures++;
            LOG.errorf("model of scope %s not usable, camera %s scored by the default model: %s", scope.get(), cameraId,
                    e.getMessage());
            withoutModel.add(scope.get());
            return defaultModel;
        }
        loaded.put(scope.get(), model);
        if (loaded.size() > maxLoaded) {
            var eldest = loaded.entrySet().iterator().next();
            loaded.remove(eldest.getKey());
            eldest.getValue().close(); // its sessions close once the batches using them end
            evictions++;
        }
        return model;
    }

    /** The reload tick: new camera settings, changed versions, newly registered scopes. Returns how many reloaded. */
    public int refresh() {
        int reloaded = defaultModel.reloadIfChanged() ? 1 : 0;
        if (registry.isEmpty()) {
            return reloaded;
        }
        Map<String, CameraSettings> settings = cameraSettings(registry.get(), cameras);
        Set<String> active = activeScopes(registry.get(), activeScopes);
        Map<String, ScoringModel> models;
        synchronized (this) {
            activeScopes = active;
            if (!settings.equals(cameras)) {
                cameras = settings;
                scopeByCamera.clear();
            }
            withoutModel.clear();
            models = Map.copyOf(loaded);
        }
        // Loading happens outside the lock: scoring goes on with the running versions meanwhile.
        for (ScoringModel m : models.values()) {
            if (m.reloadIfChanged()) {
                reloaded++;
            }
        }
        return reloaded;
    }

    public synchronized int loadedCount() {
        return loaded.size();
    }

    public synchronized long evictions() {
        return evictions;
    }

    public synchronized long loadFailures() {
        return loadFailures;
    }

    public String defaultVersion() {
        return defaultModel.versionId();
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(ScoringModel::close);
        loaded.clear();
        defaultModel.close();
    }
}
