package io.vigil.evaluation;

import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.synthetic.SyntheticScene;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The synthetic street as a data set on disk, for the trainer and the evaluator: {@code --set training} writes
 * {@code DIR/training/VV/NNNNN.jpg}; {@code --set testing} also writes {@code DIR/testing-labels/VV.txt}, one 0/1 per
 * frame, from the scene's exact ground truth. Video k renders the scene with seed + k, so the videos differ. Each
 * video is the first {@code --frames} frames of the scene: an endless scene (no {@code frames} in its URI, as the
 * default camera) repeats its anomalies every {@code period} frames.
 * <pre>
 * java -cp evaluation/target/vigil-evaluation.jar io.vigil.evaluation.SyntheticData --out street --set testing \
 *   --videos 12 --frames 1500 --scene "synthetic:?walkers=6&amp;anomalies=fast,backward,erratic,unusual&amp;period=750"
 * </pre>
 */
@Command(name = "synthetic-data", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Renders the synthetic street into Vigil's data set layout, labels included.")
public final class SyntheticData implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;
    @Option(names = "--set", paramLabel = "SET", description = "training or testing (default: ${DEFAULT-VALUE})")
    String set = "testing";
    @Option(names = "--scene", paramLabel = "URI", description = "a synthetic: URI (default: ${DEFAULT-VALUE})")
    String scene = "synthetic:?walkers=6";
    @Option(names = "--videos", paramLabel = "N", description = "default: ${DEFAULT-VALUE}")
    int videos = 1;
    @Option(names = "--first", paramLabel = "K", description = "number of the first video (default: ${DEFAULT-VALUE})")
    int first = 1;
    @Option(names = "--frames", paramLabel = "N", description = "frames per video, at most the scene's own (default: "
            + "${DEFAULT-VALUE})")
    int frames = 1500;
    @Option(names = "--quality", paramLabel = "Q", description = "JPEG quality, as frame-ingest's (default: ${DEFAULT-VALUE})")
    int quality = 90;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SyntheticData()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!set.equals("training") && !set.equals("testing")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--set is training or testing, not " + set);
        }
        SyntheticScene.Spec spec = SyntheticScene.Spec.parse(scene);
        if (spec.frames() > 0 && frames > spec.frames()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--frames " + frames + " is more than the scene's "
                    + spec.frames());
        }
        for (int k = first; k < first + videos; k++) {
            String id = String.format(Locale.ROOT, "%02d", k);
            SyntheticScene.Spec video = new SyntheticScene.Spec(spec.width(), spec.height(), spec.fps(), spec.frames(),
                    spec.walkers(), spec.seed() + k, spec.anomalies(), spec.anomalyFrames(), spec.period());
            int anomalous = write(new SyntheticScene(video), out.resolve(set).resolve(id),
                    set.equals("testing") ? out.resolve("testing-labels").resolve(id + ".txt") : null);
            System.out.printf("%s synthetic-data: %s/%s, %d frames, %d anomalous%n", LocalTime.now().withNano(0), set, id,
                    frames, anomalous);
        }
        return 0;
    }

    /** The scene's frames as JPEGs in {@code dir}, and its frame labels when {@code labels} is not null. */
    private int write(SyntheticScene scene, Path dir, Path labels) throws java.io.IOException {
        Files.createDirectories(dir);
        StringBuilder lines = new StringBuilder();
        int anomalous = 0;
        for (long i = 0; i < frames; i++) {
            SyntheticScene.Rendered r = scene.render(i);
            Files.write(dir.resolve(String.format(Locale.ROOT, "%05d.jpg", i)),
                    ImageCodec.encodeBgrJpeg(scene.spec().width(), scene.spec().height(), r.bgr(), quality));
            lines.append(r.anomalies().isEmpty() ? "0\n" : "1\n");
            anomalous += r.anomalies().isEmpty() ? 0 : 1;
        }
        if (labels != null) {
            Files.createDirectories(labels.getParent());
            Files.writeString(labels, lines, StandardCharsets.UTF_8);
        }
        return anomalous;
    }
}
