package io.vigil.bench;

import io.vigil.common.scoring.MotionSpeed;
import io.vigil.common.scoring.PlainReference;
import io.vigil.common.sequence.SequenceTensors;
import java.time.LocalDate;
import java.util.Random;

/**
 * The scorer's Java around the model, per object, against the code as first written ({@link PlainReference}), in one
 * run on the same sequences: the input layout ({@link SequenceTensors#planar}) and the speed cue ({@link MotionSpeed}).
 * Rounds alternate between the two so that the machine's drift falls on both alike; each side's best round counts.
 * The results must agree to the last bit, which this checks before it times anything.
 */
final class JavaAroundModelBench {

    private static final int FRAMES = 7;
    private static final int CROP = 64;

    /** Where the speeds go, so that the JIT cannot drop their computation. */
    static volatile float consumed;

    private JavaAroundModelBench() {
    }

    /** Both sides give the same floats to the last bit, or the comparison means nothing. */
    private static void requireSameFloats(byte[][] pixels, float[] now, float[] before) {
        int per = 3 * FRAMES * CROP * CROP;
        for (int i = 0; i < pixels.length; i++) {
            SequenceTensors.planar(pixels[i], FRAMES, CROP, now, i * per);
            PlainReference.planar(pixels[i], FRAMES, CROP, before, i * per);
            if (MotionSpeed.of(now, i * per, FRAMES, CROP) != PlainReference.motionSpeed(before, i * per, FRAMES, CROP)) {
                throw new IllegalStateException("the speed cue differs from the plain code on object " + i);
            }
        }
        if (!java.util.Arrays.equals(now, before)) {
            throw new IllegalStateException("the input layout differs from the plain code");
        }
    }

    /** The report: microseconds per object from the best rates (objects/s) of each side. */
    private static String report(int objects, int rounds, double[] best) {
        return String.format(java.util.Locale.ROOT, """
                # The scorer's Java around the model

                %s, %d objects of %d crops of %d px, best of %d alternating rounds after one warm-up, one thread,
                `java -jar bench/target/vigil-bench.jar java %d %d` on %s (%d cores). Both sides give the same floats
                to the last bit (checked first).

                | per object | as first written | now | speed-up |
                |---|---|---|---|
                | input layout (`SequenceTensors.planar`) | %.1f µs | %.1f µs | %.2f× |
                | speed cue (`MotionSpeed.of`) | %.1f µs | %.1f µs | %.2f× |
                | both | %.1f µs | %.1f µs | %.2f× |
                """, LocalDate.now(), objects, FRAMES, CROP, rounds, objects, rounds, System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), 1e6 / best[0], 1e6 / best[1], best[1] / best[0],
                1e6 / best[2], 1e6 / best[3], best[3] / best[2], 1e6 / best[0] + 1e6 / best[2], 1e6 / best[1] + 1e6 / best[3],
                (1e6 / best[0] + 1e6 / best[2]) / (1e6 / best[1] + 1e6 / best[3]));
    }

    static void run(int objects, int rounds) throws Exception {
        int per = 3 * FRAMES * CROP * CROP;
        byte[][] pixels = new byte[objects][FRAMES * CROP * CROP * 3];
        Random random = new Random(1);
        for (byte[] p : pixels) {
            random.nextBytes(p);
        }
        float[] now = new float[objects * per];
        float[] before = new float[objects * per];
        requireSameFloats(pixels, now, before);
        double[] best = new double[4]; // objects per second: planar before, planar now, speed before, speed now
        float sink = 0;
        for (int r = 0; r <= rounds; r++) { // round 0 warms the JIT up
            double[] rate = new double[4];
            long start = System.nanoTime();
            for (int i = 0; i < objects; i++) {
                PlainReference.planar(pixels[i], FRAMES, CROP, before, i * per);
            }
            rate[0] = BenchSupport.perSecond(objects, start);
            start = System.nanoTime();
            for (int i = 0; i < objects; i++) {
                SequenceTensors.planar(pixels[i], FRAMES, CROP, now, i * per);
            }
            rate[1] = BenchSupport.perSecond(objects, start);
            start = System.nanoTime();
            for (int i = 0; i < objects; i++) {
                sink += PlainReference.motionSpeed(before, i * per, FRAMES, CROP);
            }
            rate[2] = BenchSupport.perSecond(objects, start);
            start = System.nanoTime();
            for (int i = 0; i < objects; i++) {
                sink += MotionSpeed.of(now, i * per, FRAMES, CROP);
            }
            rate[3] = BenchSupport.perSecond(objects, start);
            for (int k = 0; k < 4 && r > 0; k++) {
                best[k] = Math.max(best[k], rate[k]);
            }
        }
        consumed = sink;
        BenchSupport.writeReport("java-around-model.md", report(objects, rounds, best));
    }
}
