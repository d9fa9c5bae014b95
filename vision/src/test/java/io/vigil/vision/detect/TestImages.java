package io.vigil.vision.detect;

import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

public final class TestImages {

    private static final ImageCodec CODEC = new ImageCodec();

    private TestImages() {
    }

    public static RgbImage read(Path file) {
        try {
            return CODEC.decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RgbImage gray(int w, int h) {
        byte[] p = new byte[w * h * 3];
        java.util.Arrays.fill(p, (byte) 100);
        return new RgbImage(w, h, p);
    }
}
