package io.vigil.evaluation.metrics;

import java.util.Arrays;
import java.util.Comparator;

/** Area under the ROC curve of scores against binary labels; tied scores form one step (as scikit-learn). */
public final class RocAuc {

    private RocAuc() {
    }

    public static double auc(float[] scores, boolean[] anomalous) {
        if (scores.length != anomalous.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + anomalous.length + " labels");
        }
        long positives = 0;
        for (boolean a : anomalous) {
            positives += a ? 1 : 0;
        }
        long negatives = scores.length - positives;
        long nan = 0;
        for (float v : scores) {
            nan += Float.isNaN(v) ? 1 : 0;
        }
        if (nan > 0) { // NaN ranks nowhere (and the curve's tie groups would never end)
            throw new IllegalArgumentException("AUC of scores with " + nan + " NaN values of " + scores.length);
        }
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("AUC needs both normal and anomalous frames (" + positives + " anomalous, "
                    + negatives + " normal)");
        }
        // Trapezoids between the curve's points: tied scores form one diagonal step.
        double[][] curve = curve(scores, anomalous);
        double area = 0;
        for (int i = 1; i < curve.length; i++) {
            area += (curve[i][0] - curve[i - 1][0]) * (curve[i][1] + curve[i - 1][1]) / 2.0;
        }
        return area;
    }

    /** The ROC curve's points {fpr, tpr}, from (0, 0) to (1, 1), one per distinct score (for plots). */
    public static double[][] curve(float[] scores, boolean[] anomalous) {
        Integer[] order = new Integer[scores.length];
        long positives = 0;
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            positives += anomalous[i] ? 1 : 0;
        }
        long negatives = scores.length - positives;
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        java.util.List<double[]> points = new java.util.ArrayList<>();
        points.add(new double[] {0, 0});
        long tp = 0;
        long fp = 0;
        int i = 0;
        while (i < order.length) {
            float s = scores[order[i]];
            while (i < order.length && scores[order[i]] == s) {
                if (anomalous[order[i]]) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            points.add(new double[] {negatives == 0 ? 0 : fp / (double) negatives, positives == 0 ? 0 : tp / (double) positives});
        }
        return points.toArray(double[][]::new);
    }
}
