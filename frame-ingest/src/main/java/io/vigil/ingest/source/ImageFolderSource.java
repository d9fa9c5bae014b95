package io.vigil.ingest.source;

import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.ImageDecodeException;
import io.vigil.vision.image.ImageHeader;
import io.vigil.vision.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A folder of numbered frames (UCSD Ped2 style: {@code 000.jpg}, {@code 001.jpg} …, or {@code 001.tif}) in
 * natural name order. Frame index = position in that order, so a frame that fails to decode leaves a gap and
 * the indices stay aligned with per-frame labels. JPEG files are validated and passed through unchanged;
 * other formats are decoded and re-encoded as JPEG.
 */
public final class ImageFolderSource implements FrameSource {

    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "tif", "tiff", "bmp");

    private final Path folder;
    private final List<Path> files;
    private final ImageCodec codec;
    private final int jpegQuality;
    private final long startTimeMs;
    private final double nominalFps;
    private int position;

    public ImageFolderSource(Path folder, ImageCodec codec, int jpegQuality, double nominalFps, long startTimeMs)
            throws SourceException {
        this.folder = folder;
        this.codec = codec;
        this.jpegQuality = jpegQuality;
        this.nominalFps = nominalFps;
        this.startTimeMs = startTimeMs;
        this.files = listFrames(folder);
    }

    static boolean isImageFile(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static List<Path> listFrames(Path folder) throws SourceException {
        if (!Files.isDirectory(folder)) {
            throw new SourceException("image folder not found: " + folder.toAbsolutePath());
        }
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> frames = entries.filter(ImageFolderSource::isImageFile)
                    .sorted((a, b) -> NaturalOrder.INSTANCE.compare(a.getFileName().toString(), b.getFileName().toString()))
                    .toList();
            if (frames.isEmpty()) {
                throw new SourceException("no frames (" + String.join("/", EXTENSIONS) + ") in folder " + folder.toAbsolutePath());
            }
            return frames;
        } catch (IOException e) {
            throw new SourceException("cannot list folder " + folder.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    public int frameCount() {
        return files.size();
    }

    @Override
    public Optional<SourceFrame> next() throws BadFrameException {
        if (position >= files.size()) {
            return Optional.empty();
        }
        int index = position++;
        Path file = files.get(index);
        long captureTime = startTimeMs + Math.round(index * 1000.0 / nominalFps);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadFrameException(index, "cannot read frame file " + file + ": " + e, null, e);
        }
        try {
            RgbImage image = codec.decode(bytes);
            byte[] jpeg = ImageHeader.isJpeg(bytes) ? bytes : codec.encodeJpeg(image, jpegQuality);
            return Optional.of(new SourceFrame(index, captureTime, image.width(), image.height(), jpeg));
        } catch (ImageDecodeException e) {
            throw new BadFrameException(index, "corrupt frame file " + file + ": " + e.getMessage(), bytes, e);
        }
    }

    @Override
    public boolean isLive() {
        return false;
    }

    @Override
    public void close() {
        position = files.size();
    }

    @Override
    public String toString() {
        return "folder " + folder + " (" + files.size() + " frames)";
    }
}
