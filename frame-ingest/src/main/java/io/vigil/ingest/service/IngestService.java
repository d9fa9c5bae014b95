package io.vigil.ingest.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vigil.ingest.CameraRunner;
import io.vigil.ingest.CameraState;
import io.vigil.ingest.CameraStatus;
import io.vigil.ingest.FrameSink;
import io.vigil.ingest.source.FrameSources;
import io.vigil.ingest.source.GrabberSource;
import io.vigil.ingest.source.SourceOptions;
import io.vigil.proto.CameraIds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Runs one thread per configured camera, from start-up until shutdown (or until all are done in once mode). */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    private final IngestConfig config;
    private final FrameSink sink;
    private final MeterRegistry registry;
    private final List<CameraRunner> runners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private final KafkaFrameHistory history;

    public IngestService(IngestConfig config, FrameSink sink, KafkaFrameHistory history, MeterRegistry registry) {
        this.config = config;
        this.history = history;
        this.sink = sink;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        SourceOptions options = new SourceOptions(config.jpegQuality(), config.folderFps(), config.maxFramePixels(),
                config.reconnect().initialBackoff(), config.reconnect().maxBackoff(), config.reconnect().readTimeout());
        FrameSources sources = new FrameSources(options, System::currentTimeMillis);
        for (Map.Entry<String, IngestConfig.Camera> entry : config.cameras().entrySet()) {
            IngestConfig.Camera camera = entry.getValue();
            if (!camera.enabled()) {
                continue;
            }
            String id = entry.getKey();
            String problem = CameraIds.problem(id);
            if (problem != null) {
                // Every stage would dead-letter its frames: refuse it where the operator sees it, at start.
                throw new IllegalArgumentException("vigil.ingest.cameras.\"" + id + "\": " + problem);
            }
            double defaultCap = defaultFpsCap(camera.uri());
            CameraRunner[] self = new CameraRunner[1];
            CameraRunner runner = new CameraRunner(id, GrabberSource.describe(camera.uri()),
                    () -> sources.open(camera.uri(), (reason, retryIn) -> self[0].onDrop(reason)).source(),
                    sink, camera.fpsCap().orElse(defaultCap), camera.loop(), history::lastFrame, config.resumeFinite());
            self[0] = runner;
            registerMetrics(runner.status());
            runners.add(runner);
            Thread thread = new Thread(runner, "ingest-" + id);
            thread.setDaemon(true);
            threads.add(thread);
        }
        if (runners.isEmpty()) {
            LOG.warn("no cameras configured (vigil.ingest.cameras.<id>.uri): nothing to ingest");
        }
        threads.forEach(Thread::start);
    }

    /** Synthetic scenes are paced at their own fps unless a cap says otherwise; files run unpaced. */
    private static double defaultFpsCap(String uri) {
        if (uri.startsWith("synthetic:")) {
            try {
                return FrameSources.parseSynthetic(uri).fps();
            } catch (Exception e) {
                return 0; // the runner reports the bad URI when it opens the source
            }
        }
        return 0;
    }

    private void registerMetrics(CameraStatus s) {
        Tags tags = Tags.of("camera", s.cameraId());
        FunctionCounter.builder("vigil.ingest.frames.published", s, CameraStatus::framesPublished)
                .description("Frames published to " + io.vigil.proto.Topics.FRAMES).tags(tags).register(registry);
        FunctionCounter.builder("vigil.ingest.bytes.published", s, CameraStatus::bytesPublished)
                .description("JPEG bytes published").baseUnit("bytes").tags(tags).register(registry);
        FunctionCounter.builder("vigil.ingest.errors", s, CameraStatus::badFrames)
                .description("Input errors").tags(tags.and("kind", "bad-frame")).register(registry);
        FunctionCounter.builder("vigil.ingest.errors", s, CameraStatus::sourceErrors)
                .description("Input errors").tags(tags.and("kind", "source")).register(registry);
        FunctionCounter.builder("vigil.ingest.reconnects", s, CameraStatus::reconnects)
                .description("Live stream reconnect attempts").tags(tags).register(registry);
        Gauge.builder("vigil.ingest.decode.fps", s, CameraStatus::decodeFps)
                .description("Frames decoded and published per second").tags(tags).register(registry);
        Gauge.builder("vigil.ingest.last.frame.index", s, CameraStatus::lastFrameIndex)
                .tags(tags).register(registry);
    }

    public List<CameraStatus> statuses() {
        return runners.stream().map(CameraRunner::status).toList();
    }

    /** True once every camera reached FINISHED, FAILED or STOPPED. */
    public boolean allDone() {
        return statuses().stream().allMatch(s -> s.state().isTerminal());
    }

    /** Waits for every camera's thread to end (finite sources only; live ones run until shutdown). */
    public void awaitAll() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    public boolean anyFailed() {
        return statuses().stream().anyMatch(s -> s.state() == CameraState.FAILED || s.badFrames() > 0);
    }

    void onStop(@Observes ShutdownEvent event) {
        runners.forEach(CameraRunner::requestStop);
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        sink.flush();
    }
}
