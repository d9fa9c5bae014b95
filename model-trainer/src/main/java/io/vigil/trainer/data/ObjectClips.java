package io.vigil.trainer.data;

import io.vigil.common.sequence.SequenceBuilder;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.common.sequence.SequenceTensors;
import io.vigil.common.sequence.WindowPlan;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.FrameDetections;
import io.vigil.proto.v1.ObjectSequence;
import io.vigil.vision.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Training material of normal videos: their decoded frames and detected objects, cut into the proxy tasks' inputs
 * with the services' own crop code ({@link SequenceBuilder}) so training and serving see identical crops.
 */
public final class ObjectClips {

    /** One decoded video and its detections, one FrameDetections per frame. */
    public record Video(String id, List<RgbImage> frames, List<FrameDetections> detections) {
    }

    /** An object to learn from: video, frame and index of the detection. */
    public record ObjectRef(int video, int frame, int object) {
    }

    /**
     * A batch as planar floats: inputs [B, 3, T, S, S] in [0, 1] for the forward, reversed and intermittent windows,
     * the middle crop [B, 3, S, S] to predict, and the distillation target [B, K].
     */
    public record Batch(int size, float[] forward, float[] reversed, float[] intermittent, float[] middle,
            float[] distillTarget) {
    }

    /** The appearance teacher's outputs for an object (e.g. ImageNet logits of its middle crop), or none. */
    @FunctionalInterface
    public interface TeacherTargets {
        float[] of(ObjectRef ref);
    }

    private final List<Video> videos;
    private TeacherTargets teacher = ref -> new float[0];
    private int teacherDim;
    private final List<ObjectRef> objects = new ArrayList<>();
    private final SequenceBuilder builder;
    private final TaskSampler sampler;
    private final int frames;
    private final int crop;

    public ObjectClips(List<Video> videos, SequenceSettings settings, int maxGap) {
        this.videos = List.copyOf(videos);
        this.builder = new SequenceBuilder(settings);
        this.sampler = new TaskSampler(settings.t(), maxGap);
        this.frames = settings.length();
        this.crop = settings.cropSize();
        for (int v = 0; v < videos.size(); v++) {
            List<FrameDetections> d = videos.get(v).detections();
            for (int f = 0; f < d.size(); f++) {
                for (int o = 0; o < d.get(f).getDetectionsCount(); o++) {
                    Detection det = d.get(f).getDetections(o);
                    float w = det.getBox().getX2() - det.getBox().getX1();
                    float h = det.getBox().getY2() - det.getBox().getY1();
                    if (w >= settings.minBoxSide() && h >= settings.minBoxSide()) {
                        objects.add(new ObjectRef(v, f, o));
                    }
                }
            }
        }
    }

    public List<ObjectRef> objects() {
        return objects;
    }

    public List<Video> videos() {
        return videos;
    }

    /** Adds the teacher's {@code dim} outputs to every distillation target, after the 80 detector probabilities. */
    public void useTeacher(TeacherTargets targets, int dim) {
        this.teacher = targets;
        this.teacherDim = dim;
    }

    /** Distillation outputs: 80 class probabilities plus the teacher's. */
    public int distillOutputs() {
        return 80 + teacherDim;
    }

    /** Builds the batch of {@code refs}; objects without room for an intermittent window are skipped. */
    public Batch batch(List<ObjectRef> refs, Random random) {
        int per = 3 * frames * crop * crop;
        List<float[]> rows = new ArrayList<>();
        List<ObjectRef> used = new ArrayList<>();
        List<float[][]> parts = new ArrayList<>();
        for (ObjectRef ref : refs) {
            Video video = videos.get(ref.video());
            int count = video.frames().size();
            java.util.function.LongPredicate there = i -> i >= 0 && i < count;
            Optional<WindowPlan> intermittent = sampler.intermittent(ref.frame(), there, random);
            if (intermittent.isEmpty()) {
                continue;
            }
            WindowPlan forward = sampler.consecutive(ref.frame(), there);
            FrameDetections one = FrameDetections.newBuilder(video.detections().get(ref.frame())).clearDetections()
                    .addDetections(video.detections().get(ref.frame()).getDetections(ref.object())).build();
            float[] f = planar(cut(one, forward, video));
            float[] r = planar(cut(one, TaskSampler.reversed(forward), video));
            float[] i = planar(cut(one, intermittent.get(), video));
            if (f == null || r == null || i == null) {
                continue;
            }
            used.add(ref);
            parts.add(new float[][] {f, r, i});
        }
        int b = used.size();
        float[] fw = new float[b * per];
        float[] rv = new float[b * per];
        float[] im = new float[b * per];
        float[] middle = new float[b * 3 * crop * crop];
        int k = distillOutputs();
        float[] distill = new float[b * k];
        int plane = frames * crop * crop;
        int mid = frames / 2;
        for (int j = 0; j < b; j++) {
            System.arraycopy(parts.get(j)[0], 0, fw, j * per, per);
            System.arraycopy(parts.get(j)[1], 0, rv, j * per, per);
            System.arraycopy(parts.get(j)[2], 0, im, j * per, per);
            for (int c = 0; c < 3; c++) {
                System.arraycopy(parts.get(j)[0], c * plane + mid * crop * crop, middle, (j * 3 + c) * crop * crop, crop * crop);
            }
            ObjectRef ref = used.get(j);
            Detection det = videos.get(ref.video()).detections().get(ref.frame()).getDetections(ref.object());
            for (int c = 0; c < Math.min(80, det.getClassProbabilitiesCount()); c++) {
                distill[j * k + c] = det.getClassProbabilities(c);
            }
            if (teacherDim > 0) {
                System.arraycopy(teacher.of(ref), 0, distill, j * k + 80, teacherDim);
            }
        }
        return new Batch(b, fw, rv, im, middle, distill);
    }

    private ObjectSequence cut(FrameDetections one, WindowPlan plan, Video video) {
        SequenceBuilder.Outcome o = builder.build(one, plan, idx -> video.frames().get((int) idx)).get(0);
        return o instanceof SequenceBuilder.Built b ? b.sequence() : null;
    }

    private float[] planar(ObjectSequence s) {
        return s == null ? null : SequenceTensors.planar(s.getPixels().toByteArray(), frames, crop);
    }
}
