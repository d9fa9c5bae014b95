package io.vigil.ingest.service;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.vigil.ingest.CameraStatus;
import org.jboss.logging.Logger;

/**
 * In {@code stream} mode runs until stopped. In {@code once} mode (used by evaluation) publishes each
 * camera's file or folder once, waits until Kafka acknowledged every frame, and exits: 0 when all frames
 * were published, 1 when a camera failed, a frame was bad or a send failed.
 */
@QuarkusMain
public class IngestMain implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(IngestMain.class);

    private final IngestConfig config;
    private final IngestService service;
    private final KafkaFrameSink sink;

    public IngestMain(IngestConfig config, IngestService service, KafkaFrameSink sink) {
        this.config = config;
        this.service = service;
        this.sink = sink;
    }

    @Override
    public int run(String... args) throws Exception {
        if (config.mode() == IngestConfig.Mode.STREAM) {
            Quarkus.waitForExit();
            return 0;
        }
        service.awaitAll();
        sink.flush();
        for (CameraStatus s : service.statuses()) {
            LOG.infof("camera %s: %s, %d frames published, %d bad, last index %d%s", s.cameraId(), s.state(),
                    s.framesPublished(), s.badFrames(), s.lastFrameIndex(),
                    s.lastError().isEmpty() ? "" : ", last error: " + s.lastError());
        }
        boolean ok = !service.anyFailed() && sink.sendFailures() == 0;
        return ok ? 0 : 1;
    }
}
