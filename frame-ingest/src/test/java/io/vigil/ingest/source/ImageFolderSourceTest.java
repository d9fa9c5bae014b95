package io.vigil.ingest.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {

    private final ImageCodec codec = new ImageCodec();

    @TempDir
    Path temp;

    @Test
    void readsAllPed2FramesInOrderPassingJpegsThrough() throws Exception {
        Path folder = SharedData.ped2TestVideo("01");
        ImageFolderSource source = new ImageFolderSource(folder, codec, 90, 10, 1_000_000L);
        List<SourceFrame> frames = new ArrayList<>();
        for (Optional<SourceFrame> f = source.next(); f.isPresent(); f = source.next()) {
            frames.add(f.get());
        }
        assertEquals(180, frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, frames.get(i).index());
            assertEquals(1_000_000L + i * 100L, frames.get(i).captureTimeMs(), "10 fps nominal");
            assertEquals(360, frames.get(i).width());
            assertEquals(240, frames.get(i).height());
        }
        assertArrayEquals(Files.readAllBytes(folder.resolve("137.jpg")), frames.get(137).jpeg(), "JPEG bytes unchanged");
    }

    @Test
    void corruptFrameIsReportedAndTheFolderGoesOn() throws Exception {
        Path ped2 = SharedData.ped2TestVideo("01");
        Files.copy(ped2.resolve("000.jpg"), temp.resolve("000.jpg"));
        Files.write(temp.resolve("001.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00, 0x11, 0x22});
        Files.copy(ped2.resolve("002.jpg"), temp.resolve("002.jpg"));
        Files.writeString(temp.resolve("notes.txt"), "not a frame");
        ImageFolderSource source = new ImageFolderSource(temp, codec, 90, 10, 0);
        assertEquals(3, source.frameCount(), "only image files count");
        assertEquals(0, source.next().orElseThrow().index());
        BadFrameException bad = assertThrows(BadFrameException.class, source::next);
        assertEquals(1, bad.index());
        assertTrue(bad.getMessage().contains("001.jpg"), bad.getMessage());
        assertEquals(6, bad.payload().length, "the bytes read travel to the dead-letter topic");
        assertEquals(2, source.next().orElseThrow().index(), "the index leaves a gap, aligned with labels");
        assertTrue(source.next().isEmpty());
    }

    @Test
    void pngAndTiffFramesAreReencodedAsJpeg() throws Exception {
        byte[] rgb = new byte[80 * 60 * 3];
        java.util.Arrays.fill(rgb, (byte) 128);
        byte[] jpeg = codec.encodeJpeg(new io.vigil.vision.image.RgbImage(80, 60, rgb), 90);
        // OpenCV writes PNG; the folder reader must turn it back into JPEG.
        try (org.bytedeco.opencv.opencv_core.Mat m = org.bytedeco.opencv.global.opencv_imgcodecs.imdecode(
                new org.bytedeco.opencv.opencv_core.Mat(new org.bytedeco.javacpp.BytePointer(jpeg)), 1)) {
            org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(temp.resolve("1.png").toString(), m);
            org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(temp.resolve("2.tif").toString(), m);
        }
        ImageFolderSource source = new ImageFolderSource(temp, codec, 90, 10, 0);
        for (int i = 0; i < 2; i++) {
            SourceFrame frame = source.next().orElseThrow();
            assertTrue(io.vigil.vision.image.ImageHeader.isJpeg(frame.jpeg()), "frame " + i);
            assertEquals(80, frame.width());
            assertEquals(128, codec.decode(frame.jpeg()).value(40, 30, 1), 2);
        }
    }

    @Test
    void missingOrEmptyFolderIsASourceError() throws Exception {
        SourceException missing = assertThrows(SourceException.class,
                () -> new ImageFolderSource(temp.resolve("nope"), codec, 90, 10, 0));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
        SourceException empty = assertThrows(SourceException.class, () -> new ImageFolderSource(temp, codec, 90, 10, 0));
        assertTrue(empty.getMessage().contains("no frames"), empty.getMessage());
    }

    @Test
    void namesSortNaturally() {
        List<String> names = new ArrayList<>(List.of("10.jpg", "2.jpg", "1.jpg", "frame_11.png", "frame_9.png", "001.jpg"));
        names.sort(NaturalOrder.INSTANCE);
        assertEquals(List.of("1.jpg", "001.jpg", "2.jpg", "10.jpg", "frame_9.png", "frame_11.png"), names);
    }
}
