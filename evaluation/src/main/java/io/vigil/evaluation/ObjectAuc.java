package io.vigil.evaluation;

import io.vigil.evaluation.metrics.RegionTrackDetection;
import io.vigil.evaluation.metrics.RocAuc;
import io.vigil.kafka.KafkaClientConfig;
import io.vigil.kafka.TopicSnapshot;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.ObjectScore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Object-level AUC of what a deployment scored for a synthetic camera: every object score of the camera's latest
 * source run (frame-ingest numbers a camera's frames on across sources, so the run starts where vigil.frames shows
 * the source last changed), labelled anomalous when its box overlaps a ground-truth anomaly box of its frame (IoU at
 * least RBDC's 0.1). The ground truth is the {@code PREFIX.boxes.csv} a {@code synthetic:?...&labels=PREFIX} source
 * writes.
 * <pre>
 * java -cp evaluation/target/vigil-evaluation.jar io.vigil.evaluation.ObjectAuc --from-topic 127.0.0.1:9092 \
 *   --camera street --ground-truth /tmp/street.boxes.csv [--model street/] [--kafka-config F]
 * </pre>
 */
@Command(name = "object-auc", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Object-level AUC of a synthetic camera's object scores against the scene's ground-truth boxes.")
public final class ObjectAuc implements Callable<Integer> {

    /** A ground-truth box of one scene frame. */
    record TruthBox(long frame, float x1, float y1, float x2, float y2) {
    }

    /** The AUC, and how many objects of each kind it is over. */
    public record Result(double auc, int anomalous, int normal) {
    }

    @Option(names = "--from-topic", required = true, paramLabel = "HOST:PORT")
    String bootstrap;
    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings for a secured broker")
    Path kafkaConfig;
    @Option(names = "--camera", required = true, paramLabel = "ID")
    String camera;
    @Option(names = "--ground-truth", required = true, paramLabel = "FILE", description = "PREFIX.boxes.csv of the scene")
    Path groundTruth;
    @Option(names = "--model", paramLabel = "PREFIX", description = "only scores by models whose version starts so, "
            + "e.g. street/ for the camera's own")
    String model = "";

    public static void main(String[] args) {
        System.exit(new CommandLine(new ObjectAuc()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Map<String, Object> client = KafkaClientConfig.fromFile(bootstrap, kafkaConfig);
        long first = -1;
        String source = null;
        for (var r : TopicSnapshot.readAll(client, Topics.FRAMES, Duration.ofMinutes(5))) {
            if (camera.equals(r.key())) {
                Frame f = VigilSerdes.FRAME.parse(r);
                if (!f.getSource().equals(source)) {
                    source = f.getSource();
                    first = f.getFrameIndex();
                }
            }
        }
        if (first < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "no frames of camera " + camera + " on " + Topics.FRAMES);
        }
        List<ObjectScore> scores = new ArrayList<>();
        for (var r : TopicSnapshot.readAll(client, Topics.OBJECT_SCORES, Duration.ofMinutes(5))) {
            if (camera.equals(r.key())) {
                ObjectScore s = VigilSerdes.OBJECT_SCORE.parse(r);
                if (s.getMiddleFrameIndex() >= first && s.getModelVersion().startsWith(model) && s.getIgnoreZone().isEmpty()) {
                    scores.add(s);
                }
            }
        }
        Result result = compute(scores, first, read(groundTruth));
        System.out.printf("camera %s, source %s from frame %d, models %s*: object AUC %.4f over %d anomalous and %d normal "
                + "objects%n", camera, source, first, model, result.auc(), result.anomalous(), result.normal());
        return 0;
    }

    static Result compute(List<ObjectScore> scores, long firstFrame, List<TruthBox> truth) {
        Map<Long, List<TruthBox>> byFrame = new HashMap<>();
        truth.forEach(t -> byFrame.computeIfAbsent(t.frame(), k -> new ArrayList<>()).add(t));
        float[] values = new float[scores.size()];
        boolean[] anomalous = new boolean[scores.size()];
        int positives = 0;
        for (int i = 0; i < scores.size(); i++) {
            ObjectScore s = scores.get(i);
            values[i] = s.getScore();
            Box b = s.getDetection().getBox();
            for (TruthBox t : byFrame.getOrDefault(s.getMiddleFrameIndex() - firstFrame, List.of())) {
                if (iou(b, t) >= RegionTrackDetection.IOU) {
                    anomalous[i] = true;
                }
            }
            positives += anomalous[i] ? 1 : 0;
        }
        return new Result(RocAuc.auc(values, anomalous), positives, scores.size() - positives);
    }

    static double iou(Box b, TruthBox t) {
        double w = Math.min(b.getX2(), t.x2()) - Math.max(b.getX1(), t.x1());
        double h = Math.min(b.getY2(), t.y2()) - Math.max(b.getY1(), t.y1());
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        double union = (b.getX2() - b.getX1()) * (b.getY2() - b.getY1()) + (t.x2() - t.x1()) * (t.y2() - t.y1()) - inter;
        return inter / union;
    }

    static List<TruthBox> read(Path csv) throws IOException {
        List<TruthBox> out = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            String[] f = line.split(",");
            if (f.length == 6 && !f[0].equals("frame")) {
                out.add(new TruthBox(Long.parseLong(f[0]), Float.parseFloat(f[2]), Float.parseFloat(f[3]),
                        Float.parseFloat(f[4]), Float.parseFloat(f[5])));
            }
        }
        return out;
    }
}
