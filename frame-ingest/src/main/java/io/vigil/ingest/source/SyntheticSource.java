package io.vigil.ingest.source;

import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.synthetic.SyntheticScene;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Frames of a {@link SyntheticScene}. With a ground-truth prefix it writes, as frames are produced,
 * {@code <prefix>.labels.txt} (one line per frame, 1 = anomalous, as in UCSD Ped2) and
 * {@code <prefix>.boxes.csv} ({@code frame,kind,x1,y1,x2,y2} per anomalous object).
 */
public final class SyntheticSource implements FrameSource {

    private final SyntheticScene scene;
    private final int jpegQuality;
    private final long startTimeMs;
    private final BufferedWriter labels;
    private final BufferedWriter boxes;
    private long index;

    public SyntheticSource(SyntheticScene scene, int jpegQuality, long startTimeMs, Path groundTruthPrefix)
            throws SourceException {
        this.scene = scene;
        this.jpegQuality = jpegQuality;
        this.startTimeMs = startTimeMs;
        if (groundTruthPrefix == null) {
            this.labels = null;
            this.boxes = null;
        } else {
            try {
                Path parent = groundTruthPrefix.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                this.labels = Files.newBufferedWriter(Path.of(groundTruthPrefix + ".labels.txt"), StandardCharsets.UTF_8);
                this.boxes = Files.newBufferedWriter(Path.of(groundTruthPrefix + ".boxes.csv"), StandardCharsets.UTF_8);
                boxes.write("frame,kind,x1,y1,x2,y2\n");
            } catch (IOException e) {
                throw new SourceException("cannot write synthetic ground truth at " + groundTruthPrefix + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<SourceFrame> next() {
        long frames = scene.spec().frames();
        if (frames > 0 && index >= frames) {
            return Optional.empty();
        }
        long i = index++;
        SyntheticScene.Rendered rendered = scene.render(i);
        writeGroundTruth(i, rendered);
        int w = scene.spec().width();
        int h = scene.spec().height();
        byte[] jpeg = ImageCodec.encodeBgrJpeg(w, h, rendered.bgr(), jpegQuality);
        long capture = startTimeMs + Math.round(i * 1000.0 / scene.spec().fps());
        return Optional.of(new SourceFrame(i, capture, w, h, jpeg));
    }

    private void writeGroundTruth(long frame, SyntheticScene.Rendered rendered) {
        if (labels == null) {
            return;
        }
        try {
            labels.write(rendered.anomalies().isEmpty() ? "0\n" : "1\n");
            for (SyntheticScene.GroundTruthBox b : rendered.anomalies()) {
                boxes.write(frame + "," + b.kind().name().toLowerCase(java.util.Locale.ROOT) + "," + b.x1() + "," + b.y1()
                        + "," + b.x2() + "," + b.y2() + "\n");
            }
            labels.flush();
            boxes.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing synthetic ground truth failed", e);
        }
    }

    @Override
    public boolean isLive() {
        return scene.spec().frames() == 0;
    }

    @Override
    public void close() {
        try {
            if (labels != null) {
                labels.close();
                boxes.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing synthetic ground truth failed", e);
        }
    }

    @Override
    public String toString() {
        return "synthetic scene " + scene.spec();
    }
}
