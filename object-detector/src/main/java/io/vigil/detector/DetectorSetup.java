package io.vigil.detector;

import io.vigil.vision.detect.CocoClasses;
import io.vigil.vision.detect.DetectionFilter;
import io.vigil.vision.detect.DetectorSpec;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.detect.MotionDetector;
import io.vigil.vision.detect.ObjectDetector;
import io.vigil.vision.image.ImageCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.Set;
import org.jboss.logging.Logger;

/** Builds the detector from configuration: one model session for the whole service. */
@ApplicationScoped
public class DetectorSetup {

    private static final Logger LOG = Logger.getLogger(DetectorSetup.class);

    static DetectorSpec spec(DetectorConfig c) {
        DetectorConfig.Motion m = c.motion();
        return new DetectorSpec(DetectorSpec.Backend.parse(c.backend()), c.model().orElse(null), c.device(),
                c.intraOpThreads(), c.inputSize(), filter(c).lowestThreshold(), c.nmsIou(), c.maxBatch(), c.dynamicBatch(),
                new MotionDetector.Settings(m.history(), m.varThreshold(), m.detectShadows(), m.minArea(), m.mergeRadius(),
                        m.warmupFrames()), c.addMovingObjects(), c.fittedInput());
    }

    static DetectionFilter filter(DetectorConfig c) {
        Set<Integer> allowed = new HashSet<>();
        c.classes().ifPresent(list -> list.forEach(name -> allowed.add(CocoClasses.id(name))));
        return DetectionFilter.of(c.confidenceThreshold(), c.classThresholds(), allowed, c.minBoxSide());
    }

    @Produces
    @Singleton
    FrameDetector frameDetector(DetectorConfig config) {
        DetectorSpec spec = spec(config);
        ObjectDetector detector = spec.create();
        FrameDetector frames = spec.frameDetector(detector, filter(config), new ImageCodec(config.maxFramePixels()));
        LOG.infof("detector %s ready (max batch %d)", frames.name(), detector.maxBatch());
        return frames;
    }

    void close(@Disposes FrameDetector detector) {
        detector.close();
    }
}
