package io.vigil.evaluation;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import io.vigil.vision.image.ImageCodec;
import io.vigil.vision.image.RgbImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path temp;

    @Test
    void vigilLayoutReadsFramesLabelsAndMasksOfPed2() throws Exception {
        Path root = SharedData.require("datasets/ucsd-ped2");
        List<Datasets.LabelledVideo> videos = Datasets.open(root, List.of("02", "05"));
        assertEquals(List.of("02", "05"), videos.stream().map(Datasets.LabelledVideo::id).toList());
        Datasets.LabelledVideo v02 = videos.get(0);
        assertEquals(180, v02.frames().size());
        assertTrue(!v02.labels()[93] && v02.labels()[94] && v02.labels()[179], "02: the bike from frame 94");
        assertEquals(180, v02.masks().orElseThrow().size());
        assertEquals("001.jpg", v02.frames().get(1).getFileName().toString());
    }

    /** The official UCSD layout: Test/Test001/001.tif and the gt_frame ranges (1-based) of UCSDped2.m. */
    @Test
    void officialUcsdLayoutGivesTheSameLabelsAsVigils() throws Exception {
        Path shared = SharedData.require("datasets/ucsd-ped2");
        Path test = Files.createDirectories(temp.resolve("UCSDped2/Test"));
        ImageCodec codec = new ImageCodec();
        for (String video : new String[] {"01", "02"}) {
            Path dir = Files.createDirectories(test.resolve("Test0" + video));
            List<Path> jpgs = Datasets.images(shared.resolve("testing/" + video));
            for (int i = 0; i < jpgs.size(); i++) {
                RgbImage img = codec.decode(Files.readAllBytes(jpgs.get(i)));
                try (Mat gray = new Mat(img.height(), img.width(), org.bytedeco.opencv.global.opencv_core.CV_8UC1)) {
                    var idx = gray.<org.bytedeco.javacpp.indexer.UByteIndexer>createIndexer();
                    for (int y = 0; y < img.height(); y++) {
                        for (int x = 0; x < img.width(); x++) {
                            idx.put(y, x, img.value(x, y, 0));
                        }
                    }
                    idx.release();
                    imwrite(dir.resolve(String.format("%03d.tif", i + 1)).toString(), gray);
                }
            }
        }
        Files.writeString(test.resolve("UCSDped2.m"), "TestVideoFile = {};\n"
                + "TestVideoFile{end+1}.gt_frame = [61:180];\n"
                + "TestVideoFile{end+1}.gt_frame = [95:180];\n", StandardCharsets.US_ASCII);

        List<Datasets.LabelledVideo> official = Datasets.open(temp.resolve("UCSDped2"), List.of());
        List<Datasets.LabelledVideo> vigil = Datasets.open(shared, List.of("01", "02"));
        assertEquals(List.of("001", "002"), official.stream().map(Datasets.LabelledVideo::id).toList());
        for (int v = 0; v < 2; v++) {
            assertArrayEquals(vigil.get(v).labels(), official.get(v).labels(), "video " + vigil.get(v).id());
            assertEquals(180, official.get(v).frames().size());
        }
        assertEquals(360, codec.decode(Files.readAllBytes(official.get(0).frames().get(0))).width(), "TIFF frames decode");
    }

    /** ShanghaiTech-style frame labels: testing/frames/<video>/ and testing/test_frame_mask/<video>.npy. */
    @Test
    void frameLabelFilesReadNpyArrays() throws Exception {
        Path frames = Files.createDirectories(temp.resolve("sh/testing/frames/01_0014"));
        for (int i = 0; i < 5; i++) {
            Files.write(frames.resolve(i + ".jpg"), new byte[] {1});
        }
        Path labels = Files.createDirectories(temp.resolve("sh/testing/test_frame_mask"));
        writeNpy(labels.resolve("01_0014.npy"), "<i8", 5, new long[] {0, 0, 1, 1, 0});
        Datasets.LabelledVideo v = Datasets.open(temp.resolve("sh"), List.of()).get(0);
        assertEquals("01_0014", v.id());
        assertArrayEquals(new boolean[] {false, false, true, true, false}, v.labels());

        writeNpy(labels.resolve("01_0014.npy"), "<i8", 4, new long[] {0, 0, 1, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(temp.resolve("sh"), List.of()));
        assertTrue(e.getMessage().contains("5 frames but 4 labels"), e.getMessage());
        assertThrows(IOException.class, () -> Datasets.open(temp, List.of()), "unknown layout");
    }

    private static void writeNpy(Path file, String dtype, int n, long[] values) throws IOException {
        String header = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + n + ",), }";
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 8 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (long v : values) {
            b.putLong(v);
        }
        Files.write(file, b.array());
    }
}
