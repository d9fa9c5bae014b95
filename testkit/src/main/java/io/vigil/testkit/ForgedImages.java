package io.vigil.testkit;

/** Images as an attacker shapes them, for tests of the decoders' guards. */
public final class ForgedImages {

    private ForgedImages() {
    }

    /** A real baseline JPEG whose header claims {@code width} x {@code height} (its SOF0 segment rewritten). */
    public static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
        byte[] forged = jpeg.clone();
        for (int i = 2; i + 8 < forged.length; i++) {
            if ((forged[i] & 0xff) == 0xFF && (forged[i + 1] & 0xff) == 0xC0) {
                forged[i + 5] = (byte) (height >> 8);
                forged[i + 6] = (byte) height;
                forged[i + 7] = (byte) (width >> 8);
                forged[i + 8] = (byte) width;
                return forged;
            }
        }
        throw new IllegalArgumentException("no SOF0 segment");
    }
}
