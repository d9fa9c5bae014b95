package io.vigil.vision.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageCodecTest {

    private final ImageCodec codec = new ImageCodec();

    @Test
    void decodesARealPed2Frame() throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.ped2TestVideo("01").resolve("000.jpg"));
        RgbImage image = codec.decode(jpeg);
        assertEquals(360, image.width());
        assertEquals(240, image.height());
        assertEquals(new ImageHeader.Size(360, 240), ImageHeader.declaredSize(jpeg));
        // A real outdoor frame has texture: not a constant image.
        int min = 255;
        int max = 0;
        for (byte b : image.pixels()) {
            min = Math.min(min, b & 0xFF);
            max = Math.max(max, b & 0xFF);
        }
        assertTrue(max - min > 100, "dynamic range " + (max - min));
    }

    @Test
    void jpegRoundTripKeepsColoursAndOrder() {
        byte[] pixels = new byte[32 * 16 * 3];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                int i = (y * 32 + x) * 3;
                pixels[i] = (byte) (x < 16 ? 220 : 20); // red left
                pixels[i + 1] = (byte) 40;
                pixels[i + 2] = (byte) (x < 16 ? 30 : 200); // blue right
            }
        }
        RgbImage back = codec.decode(codec.encodeJpeg(new RgbImage(32, 16, pixels), 95));
        assertEquals(32, back.width());
        assertEquals(16, back.height());
        assertTrue(back.value(4, 8, 0) > 180 && back.value(4, 8, 2) < 80, "left stays red (channels not swapped)");
        assertTrue(back.value(28, 8, 2) > 160 && back.value(28, 8, 0) < 60, "right stays blue");
    }

    @Test
    void truncatedJpegIsAClearError() throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.ped2TestVideo("01").resolve("000.jpg"));
        byte[] headerOnly = Arrays.copyOf(jpeg, 200);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> codec.decode(headerOnly));
        assertTrue(e.getMessage().contains("cannot decode"), e.getMessage());
    }

    @Test
    void garbageAndEmptyAreClearErrors() {
        assertThrows(ImageDecodeException.class, () -> codec.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        assertThrows(ImageDecodeException.class, () -> codec.decode(new byte[0]));
    }

    @Test
    void oversizedImageIsRejectedBeforeDecoding() throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.ped2TestVideo("01").resolve("000.jpg"));
        ImageCodec small = new ImageCodec(100 * 100);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> small.decode(jpeg));
        assertTrue(e.getMessage().contains("360x240"), e.getMessage());
    }
}
