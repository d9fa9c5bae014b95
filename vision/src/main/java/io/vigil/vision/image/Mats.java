package io.vigil.vision.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/** Copies between Java byte arrays and OpenCV matrices; each result owns its memory. */
final class Mats {

    private Mats() {
    }

    /** A new 3-channel Mat holding a copy of {@code interleaved} (caller closes it). */
    static Mat fromInterleaved(int width, int height, byte[] interleaved) {
        Mat mat = new Mat(height, width, CV_8UC3);
        mat.data().put(interleaved, 0, interleaved.length);
        return mat;
    }

    /** The bytes of a 3-channel 8-bit Mat, row-major interleaved. */
    static byte[] toInterleaved(Mat mat) {
        Mat continuous = mat.isContinuous() ? mat : mat.clone();
        try {
            byte[] out = new byte[continuous.rows() * continuous.cols() * 3];
            continuous.data().get(out);
            return out;
        } finally {
            if (continuous != mat) {
                continuous.close();
            }
        }
    }

    static BytePointer pointerTo(byte[] bytes) {
        return new BytePointer(bytes);
    }
}
