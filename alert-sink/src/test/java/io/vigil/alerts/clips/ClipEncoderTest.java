package io.vigil.alerts.clips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.testkit.ForgedImages;
import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;

/** Clips from real Ped2 frames, with a forged frame among them as anyone who can write vigil.frames could send. */
class ClipEncoderTest {

    private static List<byte[]> ped2(int count) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Files.readAllBytes(SharedData.ped2TestVideo("02").resolve(String.format("%03d.jpg", i))));
        }
        return out;
    }

    @Test
    void aFrameWhoseHeaderClaimsGigabytesIsLeftOutUnallocated() throws Exception {
        // Found in the code: the clip encoder decoded JPEGs without the pixel guard; 30000x30000 is 2.7 GB of BGR.
        List<byte[]> frames = ped2(3);
        byte[] bomb = ForgedImages.jpegClaiming(frames.get(1), 30_000, 30_000);
        assertEquals(new ImageHeader.Size(30_000, 30_000), ImageHeader.declaredSize(bomb));
        frames.add(1, bomb);

        byte[] mp4 = ClipEncoder.mp4(frames, 10, Duration.ofSeconds(30));
        Path file = Files.createTempFile("clip-test-", ".mp4");
        try {
            Files.write(file, mp4);
            try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
                grabber.start();
                assertEquals(360, grabber.getImageWidth());
                int decoded = 0;
                while (grabber.grabImage() != null) {
                    decoded++;
                }
                assertEquals(3, decoded, "the three real frames, without the forged one");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aClipPastItsBudgetStops() throws Exception {
        ClipEncoder.TooSlow e = assertThrows(ClipEncoder.TooSlow.class, () -> ClipEncoder.mp4(ped2(5), 10, Duration.ZERO));
        assertEquals("the clip took longer than 0 ms (0 of 5 frames)", e.getMessage());
    }
}
