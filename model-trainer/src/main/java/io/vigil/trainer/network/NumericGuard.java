package io.vigil.trainer.network;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds numbers that are not finite before they spread: in a batch, a gradient, a parameter about to be saved or
 * exported. Training stops at the first one with a {@link NonFiniteException} that names where it was seen and the
 * numeric environment, so a NaN never reaches an optimizer update, a checkpoint, an export or {@code models/}.
 */
public final class NumericGuard {

    /** A NaN or infinity where only finite numbers may be. */
    public static final class NonFiniteException extends IllegalStateException {
        public NonFiniteException(String message) {
            super(message + " [" + TorchRuntime.describe() + "]");
        }
    }

    private NumericGuard() {
    }

    /** How many values of the array are NaN or infinite. */
    public static long nonFinite(NDArray values) {
        // x - x is 0 for every finite x and NaN for NaN and infinities; the temporaries go with the count.
        try (NDArray difference = values.sub(values); NDArray nan = difference.isNaN(); NDArray count = nan.countNonzero()) {
            return count.getLong();
        }
    }

    public static int nonFinite(float[] values) {
        int bad = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                bad++;
            }
        }
        return bad;
    }

    /** Throws when {@code values} hold a NaN or infinity, naming {@code what}. */
    public static void requireFinite(float[] values, String what) {
        int bad = nonFinite(values);
        if (bad > 0) {
            throw new NonFiniteException(what + ": " + bad + " of " + values.length + " values are NaN or infinite");
        }
    }

    /** Throws unless every parameter of {@code net} (weights, biases, batch-norm statistics) is finite. */
    public static void requireFiniteParameters(Block net, String before) {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            parameters.put(p.getKey(), p.getValue().getArray());
        }
        List<String> bad = nonFinite(parameters);
        if (!bad.isEmpty()) {
            throw new NonFiniteException("NaN or infinite parameters " + bad + "; refusing " + before);
        }
    }

    /** The names of the arrays that hold a NaN or infinity, each with how many; empty when all are finite. */
    public static List<String> nonFinite(Map<String, NDArray> named) {
        List<String> bad = new ArrayList<>();
        named.forEach((name, values) -> {
            long n = nonFinite(values);
            if (n > 0) {
                bad.add(name + " (" + n + " values)");
            }
        });
        return bad;
    }
}
