package io.vigil.vision.image;

/** Bytes that are not a decodable image (corrupt or truncated JPEG, unknown format, too large). */
public class ImageDecodeException extends RuntimeException {

    public ImageDecodeException(String message) {
        super(message);
    }

    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
