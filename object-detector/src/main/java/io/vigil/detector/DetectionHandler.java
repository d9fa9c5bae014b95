package io.vigil.detector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.kafka.TransactionalLoop;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Frame;
import io.vigil.vision.detect.FrameDetector;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Detects objects in one chunk of polled frames (any cameras) and writes one FrameDetections per frame; frames
 * that are not Frame messages or cannot be decoded become dead letters. Runs inside a {@link TransactionalLoop}.
 */
final class DetectionHandler implements TransactionalLoop.Handler {

    static final String STAGE = "object-detector";

    private final FrameDetector detector;
    private final Counter framesDetected;
    private final Counter framesRejected;
    private final Counter objects;
    private final Timer inference;
    private final DistributionSummary batchSize;

    DetectionHandler(FrameDetector detector, MeterRegistry registry) {
        this.detector = detector;
        this.framesDetected = registry.counter("vigil.detector.frames", "outcome", "detected");
        this.framesRejected = registry.counter("vigil.detector.frames", "outcome", "rejected");
        this.objects = registry.counter("vigil.detector.objects");
        this.inference = Timer.builder("vigil.detector.inference").description("Detector time per batch")
                .publishPercentiles(0.5, 0.95).register(registry);
        this.batchSize = DistributionSummary.builder("vigil.detector.batch.size").register(registry);
        Gauge.builder("vigil.onnx.cuda.fallback", () -> OnnxSessionFactory.cudaFellBack() ? 1 : 0)
                .description("1 when a model asked for CUDA and runs on the CPU").register(registry);
    }

    @Override
    public void handle(List<ConsumerRecord<String, byte[]>> records, TransactionalLoop.Output out) {
        List<Frame> frames = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> frameRecords = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            var checked = out.parseChecked(r, VigilSerdes.FRAME, MessageChecks::frame);
            if (checked.isPresent()) {
                frames.add(checked.get());
                frameRecords.add(r);
            } else {
                framesRejected.increment();
            }
        }
        if (frames.isEmpty()) {
            return;
        }
        batchSize.record(frames.size());
        List<FrameDetector.Outcome> outcomes = inference.record(() -> detector.process(frames));
        for (int i = 0; i < outcomes.size(); i++) {
            FrameDetector.Outcome o = outcomes.get(i);
            if (o instanceof FrameDetector.Detected d) {
                out.send(frameRecords.get(i), new ProducerRecord<>(Topics.DETECTIONS, d.frame().getCameraId(),
                        VigilSerdes.FRAME_DETECTIONS.serializer().serialize(Topics.DETECTIONS, d.detections())));
                framesDetected.increment();
                objects.increment(d.detections().getDetectionsCount());
            } else if (o instanceof FrameDetector.Rejected rej) {
                framesRejected.increment();
                out.deadLetter(frameRecords.get(i), rej.reason(), rej.cause());
            }
        }
    }
}
