package io.vigil.evaluation.footage;

import com.google.protobuf.ByteString;
import io.vigil.proto.v1.Frame;
import io.vigil.proto.v1.TrainingRange;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The video folders of a directory (image files in name order), one clip per folder; {@code only} restricts them,
 * {@code holdout} names the held-out ones. Width and height stay 0: the detector reads them from each image.
 */
public final class FolderFootage implements Footage {

    private final Path root;
    private final List<String> only;
    private final List<String> holdout;
    private TrainingRange range = TrainingRange.getDefaultInstance();

    public FolderFootage(Path root, List<String> only, List<String> holdout) {
        this.root = root;
        this.only = List.copyOf(only);
        this.holdout = List.copyOf(holdout);
    }

    @Override
    public List<Clip> clips(PrintStream log) throws IOException {
        List<Path> folders;
        try (Stream<Path> s = Files.list(root)) {
            folders = s.filter(Files::isDirectory).filter(f -> only.isEmpty() || only.contains(f.getFileName().toString()))
                    .sorted().toList();
        }
        if (folders.isEmpty()) {
            throw new IllegalArgumentException("no video folders in " + root);
        }
        List<String> missing = holdout.stream().filter(h -> folders.stream().noneMatch(f -> f.getFileName().toString()
                .equals(h))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("held-out videos " + missing + " are not folders of " + root);
        }
        List<Clip> clips = new ArrayList<>();
        long frames = 0;
        for (Path folder : folders) {
            String id = folder.getFileName().toString();
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(p -> p.toString().matches("(?i).*\\.(jpg|jpeg|png|tif|tiff)$")).sorted().toList();
            }
            List<Frame> out = new ArrayList<>();
            for (Path f : files) {
                out.add(Frame.newBuilder().setCameraId(id).setFrameIndex(out.size())
                        .setJpeg(ByteString.copyFrom(Files.readAllBytes(f))).setSource(f.toString()).build());
            }
            if (!out.isEmpty()) {
                clips.add(new Clip(id, out, holdout.contains(id)));
                frames += out.size();
            }
        }
        range = TrainingRange.newBuilder().setSource(root.toString()).setFrames(frames).build();
        return clips;
    }

    @Override
    public TrainingRange range() {
        return range;
    }
}
