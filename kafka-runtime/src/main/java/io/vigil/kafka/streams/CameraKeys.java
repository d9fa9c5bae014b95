package io.vigil.kafka.streams;

/**
 * Store keys {@code camera|index} for what is kept per camera and frame: the index zero-padded to 20 digits, so a
 * store's byte order is frame order and one camera's entries are one key range.
 */
public final class CameraKeys {

    private CameraKeys() {
    }

    public static String of(String camera, long index) {
        return camera + "|" + String.format("%020d", index);
    }

    public static long indexOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
    }

    /** The lowest key of {@code camera}'s range. */
    public static String first(String camera) {
        return of(camera, 0);
    }

    /** The highest key of {@code camera}'s range. */
    public static String last(String camera) {
        return of(camera, Long.MAX_VALUE);
    }
}
