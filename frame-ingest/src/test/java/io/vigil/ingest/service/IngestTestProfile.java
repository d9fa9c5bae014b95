package io.vigil.ingest.service;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Four cameras in one instance: a real Ped2 folder, a folder with a corrupt frame, a path that does not exist,
 * and a short synthetic scene.
 */
public class IngestTestProfile implements QuarkusTestProfile {

    static final String PED2 = "ped2-01";
    static final String CORRUPT = "corrupt-folder";
    static final String MISSING = "missing-file";
    static final String SYNTHETIC = "synthetic-small";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "vigil.ingest.cameras." + PED2 + ".uri", SharedData.root().resolve("datasets/ucsd-ped2/testing/01").toString(),
                "vigil.ingest.cameras." + CORRUPT + ".uri", corruptFolder().toString(),
                "vigil.ingest.cameras." + MISSING + ".uri", "/nonexistent/vigil/camera-7.mp4",
                "vigil.ingest.cameras." + SYNTHETIC + ".uri", "synthetic:?frames=30&walkers=2",
                "vigil.ingest.cameras." + SYNTHETIC + ".fps-cap", "0");
    }

    /** Frames 0, 1 and 3 are real JPEGs of a generated image; frame 2 is a truncated JPEG. */
    static Path corruptFolder() {
        try {
            Path dir = Files.createTempDirectory("vigil-corrupt-");
            byte[] pixels = new byte[64 * 48 * 3];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (i % 251);
            }
            byte[] jpeg = new ImageCodec().encodeJpeg(new RgbImage(64, 48, pixels), 90);
            Files.write(dir.resolve("0.jpg"), jpeg);
            Files.write(dir.resolve("1.jpg"), jpeg);
            Files.write(dir.resolve("2.jpg"), java.util.Arrays.copyOf(jpeg, 40));
            Files.write(dir.resolve("3.jpg"), jpeg);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
