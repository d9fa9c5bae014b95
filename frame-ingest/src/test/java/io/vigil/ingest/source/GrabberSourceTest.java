package io.vigil.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrabberSourceTest {

    @TempDir
    Path temp;

    @Test
    void decodesAVideoFileFrameByFrame() throws Exception {
        Path ped2 = SharedData.ped2TestVideo("02");
        List<Path> frames = IntStream.range(0, 25).mapToObj(i -> ped2.resolve(String.format("%03d.jpg", i))).toList();
        Path video = TestVideos.write(temp.resolve("ped2-02.mkv"), frames, "matroska", 10);

        List<SourceFrame> read = new ArrayList<>();
        try (GrabberSource source = new GrabberSource(video.toString(), false, Map.of(), 90, ImageCodec.DEFAULT_MAX_PIXELS,
                () -> 5_000L)) {
            for (Optional<SourceFrame> f = source.next(); f.isPresent(); f = source.next()) {
                read.add(f.get());
            }
            assertEquals(10.0, source.frameRate(), 0.01);
        }
        assertEquals(25, read.size());
        ImageCodec codec = new ImageCodec();
        for (int i = 0; i < read.size(); i++) {
            assertEquals(i, read.get(i).index());
            assertEquals(5_000L + i * 100L, read.get(i).captureTimeMs(), 1, "start + presentation time");
        }
        // Frame 12 decoded from the video resembles the original frame 12 (lossy codec: mean error is small).
        RgbImage decoded = codec.decode(read.get(12).jpeg());
        RgbImage original = codec.decode(Files.readAllBytes(frames.get(12)));
        assertEquals(360, decoded.width());
        assertEquals(240, decoded.height());
        double mae = 0;
        for (int k = 0; k < original.pixels().length; k++) {
            mae += Math.abs((decoded.pixels()[k] & 0xFF) - (original.pixels()[k] & 0xFF));
        }
        mae /= original.pixels().length;
        assertTrue(mae < 8, "mean abs error " + mae);
    }

    @Test
    void unreadableVideoIsAClearSourceError() throws Exception {
        Path garbage = Files.write(temp.resolve("broken.mp4"), new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 1, 2, 3});
        SourceException e = assertThrows(SourceException.class,
                () -> new GrabberSource(garbage.toString(), false, Map.of(), 90, ImageCodec.DEFAULT_MAX_PIXELS, () -> 0));
        assertTrue(e.getMessage().contains("cannot open") && e.getMessage().contains("broken.mp4"), e.getMessage());
    }

    @Test
    void oversizedVideoIsRejected() throws Exception {
        Path ped2 = SharedData.ped2TestVideo("02");
        Path video = TestVideos.write(temp.resolve("small.mkv"), List.of(ped2.resolve("000.jpg"), ped2.resolve("001.jpg")),
                "matroska", 10);
        SourceException e = assertThrows(SourceException.class,
                () -> new GrabberSource(video.toString(), false, Map.of(), 90, 320 * 200, () -> 0));
        assertTrue(e.getMessage().contains("360x240"), e.getMessage());
    }

    @Test
    void aStreamThatCannotBeOpenedNamesItWithoutItsPassword() {
        SourceException e = assertThrows(SourceException.class, () -> new GrabberSource(
                "rtsp://alice:S3cretMarker@127.0.0.1:9/stream1", true, Map.of("rw_timeout", "2000000"), 90,
                ImageCodec.DEFAULT_MAX_PIXELS, () -> 0));
        java.io.StringWriter logged = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(logged)); // what a log line with the exception shows
        assertTrue(logged.toString().contains("rtsp://***@127.0.0.1:9/stream1"), logged.toString());
        assertTrue(!logged.toString().contains("S3cretMarker"), logged.toString());
        assertTrue(e.getCause() != null && e.getCause().getMessage().contains("FrameGrabber"), "the cause is kept: " + logged);
    }

    @Test
    void credentialsAreHiddenInDescriptions() {
        assertEquals("rtsp://***@cam.local:554/stream", GrabberSource.describe("rtsp://admin:secret@cam.local:554/stream"));
        assertEquals("http://cam.local/x", GrabberSource.describe("http://cam.local/x"));
    }
}
