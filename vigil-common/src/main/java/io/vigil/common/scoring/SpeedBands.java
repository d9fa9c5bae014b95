package io.vigil.common.scoring;

import java.util.Arrays;
import java.util.Map;

/**
 * A task's calibration by band of the object's speed ({@link MotionSpeed}): the normal objects are split into
 * {@link #BANDS} bands of equal count by their speed, and each band has its own {@link TaskCalibration}. An object is
 * then rare among normal objects that move as fast as it does.
 *
 * <p>The arrow of time needs it: without motion, a sequence played forwards and backwards look alike, so on normal
 * video a slow object's P(backward) is high and a fast one's near zero (Spearman's ρ −0.46 between the two on Ped2's
 * normal videos 14–16). On one table, every slow pedestrian is a surprise and a fast object whose direction the model
 * cannot tell is not.
 *
 * @param upperEdges the highest speed of each band but the last (ascending)
 * @param bands      one calibration per band, slowest first
 */
public record SpeedBands(float[] upperEdges, TaskCalibration[] bands) {

    /**
     * Bands per task: few, so that each band's table still reaches far into its tail (Ped2's 2,565 held-out normal
     * objects give 855 a band, one in 10^2.9).
     */
    public static final int BANDS = 3;

    /** Below this many normal objects a band's tail table is too short to read a surprise from. */
    public static final int MIN_OBJECTS_PER_BAND = 100;

    public SpeedBands {
        if (bands.length != upperEdges.length + 1) {
            throw new IllegalArgumentException(bands.length + " bands need " + (bands.length - 1) + " edges, got "
                    + upperEdges.length);
        }
        upperEdges = upperEdges.clone();
        bands = bands.clone();
    }

    /**
     * The bands of normal objects' raw scores and speeds (pairs with a NaN are left out), or null when there are too
     * few objects for {@link #BANDS} bands of {@link #MIN_OBJECTS_PER_BAND}.
     */
    public static SpeedBands of(float[] raw, float[] speed) {
        // Sorted by speed; a stable sort keeps equal speeds in index order, so the bands do not depend on the sort.
        Integer[] byIndex = java.util.stream.IntStream.range(0, raw.length)
                .filter(i -> !Float.isNaN(raw[i]) && !Float.isNaN(speed[i])).boxed().toArray(Integer[]::new);
        int n = byIndex.length;
        if (n < BANDS * MIN_OBJECTS_PER_BAND) {
            return null;
        }
        Arrays.sort(byIndex, (a, b) -> Float.compare(speed[a], speed[b]));
        float[] edges = new float[BANDS - 1];
        TaskCalibration[] tables = new TaskCalibration[BANDS];
        int from = 0;
        for (int b = 0; b < BANDS; b++) {
            int to = b == BANDS - 1 ? n : (int) ((long) n * (b + 1) / BANDS);
            if (b < BANDS - 1) {
                edges[b] = speed[byIndex[to - 1]];
            }
            float[] values = new float[to - from];
            for (int i = from; i < to; i++) {
                values[i - from] = raw[byIndex[i]];
            }
            tables[b] = TaskCalibration.of(values);
            from = to;
        }
        return new SpeedBands(edges, tables);
    }

    /** The calibration for an object of this speed. */
    public TaskCalibration band(float speed) {
        for (int b = 0; b < upperEdges.length; b++) {
            if (speed <= upperEdges[b]) {
                return bands[b];
            }
        }
        return bands[bands.length - 1];
    }

    /** The bands of {@code task} in model metadata, or null when it has none. */
    public static SpeedBands fromMetadata(Map<String, String> metadata, String task) {
        String edges = metadata.get(edgesKey(task));
        if (edges == null) {
            return null;
        }
        float[] upper = TaskCalibration.parseFloats(edges);
        TaskCalibration[] tables = new TaskCalibration[upper.length + 1];
        for (int b = 0; b < tables.length; b++) {
            tables[b] = TaskCalibration.fromMetadata(metadata, bandName(task, b));
            if (!tables[b].hasTail()) {
                throw new IllegalArgumentException("model metadata names speed bands for " + task + " but has no table for"
                        + " band " + b + " (" + bandName(task, b) + ")");
            }
        }
        return new SpeedBands(upper, tables);
    }

    /** These bands as model metadata of {@code task}. */
    public Map<String, String> toMetadata(String task) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put(edgesKey(task), TaskCalibration.formatFloats(upperEdges));
        for (int b = 0; b < bands.length; b++) {
            out.putAll(bands[b].toMetadata(bandName(task, b)));
        }
        return out;
    }

    private static String edgesKey(String task) {
        return "vigil.calibration." + task + ".speed_bands";
    }

    private static String bandName(String task, int band) {
        return task + ".speed_band" + band;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpeedBands s && Arrays.equals(upperEdges, s.upperEdges) && Arrays.equals(bands, s.bands);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(upperEdges) * 31 + Arrays.hashCode(bands);
    }

    @Override
    public String toString() {
        return "SpeedBands[upperEdges=" + Arrays.toString(upperEdges) + ", bands=" + Arrays.toString(bands) + "]";
    }
}
