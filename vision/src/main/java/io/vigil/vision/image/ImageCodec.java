package io.vigil.vision.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import io.vigil.proto.MessageChecks;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * JPEG (and PNG, TIFF, BMP) decoding and JPEG encoding through OpenCV. Stateless and thread-safe.
 *
 * <p>Decoding checks the declared image size before decompressing, so a small file that claims a huge
 * image (a decompression bomb) is rejected without allocating it.
 */
public final class ImageCodec {

    /** 8K UHD: anything larger is rejected before decoding. */
    public static final long DEFAULT_MAX_PIXELS = MessageChecks.MAX_FRAME_PIXELS;

    private final long maxPixels;

    public ImageCodec() {
        this(DEFAULT_MAX_PIXELS);
    }

    public ImageCodec(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive");
        }
        this.maxPixels = maxPixels;
    }

    /**
     * Throws unless {@code encoded} is an image whose header declares at most the pixel limit: what every decoder of
     * untrusted bytes asks before it lets OpenCV allocate (a JPEG header claiming 30000x30000 is gigabytes).
     */
    public void checkDeclaredSize(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            throw new ImageDecodeException("empty image payload");
        }
        ImageHeader.Size declared = ImageHeader.declaredSize(encoded);
        if (declared != null && (long) declared.width() * declared.height() > maxPixels) {
            throw new ImageDecodeException("image declares " + declared.width() + "x" + declared.height()
                    + " pixels, over the limit of " + maxPixels);
        }
    }

    /** Decodes any image format OpenCV reads into RGB. */
    public RgbImage decode(byte[] encoded) {
        checkDeclaredSize(encoded);
        try (BytePointer buffer = Mats.pointerTo(encoded);
                Mat raw = new Mat(1, encoded.length, org.bytedeco.opencv.global.opencv_core.CV_8UC1, buffer);
                Mat bgr = imdecode(raw, IMREAD_COLOR)) {
            if (bgr == null || bgr.empty()) {
                throw new ImageDecodeException("cannot decode image (" + encoded.length + " bytes, starts with "
                        + ImageHeader.magic(encoded) + "): corrupt, truncated or not an image");
            }
            if ((long) bgr.cols() * bgr.rows() > maxPixels) {
                throw new ImageDecodeException("image is " + bgr.cols() + "x" + bgr.rows() + ", over the limit of "
                        + maxPixels + " pixels");
            }
            try (Mat rgb = new Mat()) {
                cvtColor(bgr, rgb, COLOR_BGR2RGB);
                return new RgbImage(rgb.cols(), rgb.rows(), Mats.toInterleaved(rgb));
            }
        }
    }

    /** Encodes RGB to baseline JPEG at {@code quality} 1..100. */
    public byte[] encodeJpeg(RgbImage image, int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
        }
        try (Mat rgb = Mats.fromInterleaved(image.width(), image.height(), image.pixels());
                Mat bgr = new Mat()) {
            cvtColor(rgb, bgr, COLOR_RGB2BGR);
            return encodeBgrJpeg(bgr, quality);
        }
    }

    /** Encodes interleaved BGR bytes (Java2D's TYPE_3BYTE_BGR layout) to JPEG. */
    public static byte[] encodeBgrJpeg(int width, int height, byte[] bgr, int quality) {
        try (Mat mat = Mats.fromInterleaved(width, height, bgr)) {
            return encodeBgrJpeg(mat, quality);
        }
    }

    /** Encodes a BGR OpenCV matrix (as grabbers deliver it) to JPEG without an RGB round trip. */
    public static byte[] encodeBgrJpeg(Mat bgr, int quality) {
        try (BytePointer out = new BytePointer();
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            if (!imencode(".jpg", bgr, out, params)) {
                throw new IllegalStateException("OpenCV could not encode a " + bgr.cols() + "x" + bgr.rows() + " JPEG");
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }
}
