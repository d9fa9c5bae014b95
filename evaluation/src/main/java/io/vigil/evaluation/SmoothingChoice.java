package io.vigil.evaluation;

import io.vigil.common.scoring.TemporalSmoother;
import io.vigil.common.scoring.ThresholdCalibration;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How much a camera's frame scores should be smoothed in time before its events, decided by its normal video and its
 * labelled anomalies, the events rule of the folds. Each candidate sigma (look-ahead 3 sigma, within the latency
 * budget) is put at the thresholds the normal video calls for; from the smallest up, a step is taken while it opens
 * more anomalies in more videos than it opens fewer; the last step taken is the choice. Smoothing longer lets an
 * anomaly that lasts outweigh a normal blip, and costs its look-ahead in latency. No scoring is repeated: the
 * candidates smooth the frame scores the run already has.
 */
public record SmoothingChoice(List<Candidate> candidates, int chosen, int anomalies) {

    /** A sigma, its look-ahead, the thresholds the normal video calls for and, per video, the anomalies opened. */
    public record Candidate(double sigma, int lookahead, ThresholdCalibration.Choice thresholds, List<Integer> opened,
            int videosMore, int videosFewer) {
        public int total() {
            return opened.stream().mapToInt(Integer::intValue).sum();
        }

        /** Sigma as written: 10, 2.5. */
        public String sigmaText() {
            return BigDecimal.valueOf(sigma).stripTrailingZeros().toPlainString();
        }
    }

    public Candidate choice() {
        return candidates.get(chosen);
    }

    /**
     * @param results the labelled videos' results, in the order of {@code labelled}
     * @param normal  normal videos' results: the thresholds' footage
     */
    static SmoothingChoice of(List<Datasets.LabelledVideo> labelled, List<OfflinePipeline.VideoResult> results,
            List<OfflinePipeline.VideoResult> normal, List<Double> sigmas, int maxLookahead,
            CrossValidation.EventBudget budget) {
        if (sigmas.isEmpty() || normal.isEmpty()) {
            throw new IllegalArgumentException("smoothing candidates need sigmas and normal video");
        }
        List<Candidate> out = new ArrayList<>();
        int chosen = 0;
        for (double sigma : sigmas.stream().sorted().distinct().toList()) {
            ThresholdCalibration.Choice t = ThresholdCalibration.choose(smoothed(normal, sigma, maxLookahead),
                    budget.fps(), budget.eventsPerDay(), budget.defaults());
            List<Integer> opened = OperatorView.opened(labelled, smoothed(results, sigma, maxLookahead),
                    budget.defaults().withThresholds(t.open(), t.close()));
            List<Integer> before = out.isEmpty() ? opened : out.get(out.size() - 1).opened();
            int more = CrossValidation.Opened.videosMore(opened, before);
            int fewer = CrossValidation.Opened.videosMore(before, opened);
            out.add(new Candidate(sigma, TemporalSmoother.lookahead(sigma, maxLookahead), t, opened, more, fewer));
            if (chosen == out.size() - 2 && more > fewer) {
                chosen = out.size() - 1;
            }
        }
        return new SmoothingChoice(out, chosen, OperatorView.anomalies(labelled));
    }

    private static List<float[]> smoothed(List<OfflinePipeline.VideoResult> results, double sigma, int maxLookahead) {
        return results.stream().map(r -> TemporalSmoother.smoothAll(r.rawFrameScores().get(OfflinePipeline.ALL), sigma,
                maxLookahead)).toList();
    }

    String markdown(double fps) {
        StringBuilder md = new StringBuilder("## The smoothing, by the anomalies it opens\n\n");
        md.append("Each sigma at the thresholds the normal video calls for; a step up is taken while it opens more "
                + "anomalies in more videos than fewer.\n\n");
        md.append("| sigma (frames) | look-ahead | open / close | anomalies opened | per video | against the step before |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            md.append(String.format(Locale.ROOT, "| %s%s%s | %d frames, %.1f s | %.4f / %.4f | %d of %d | %s | %s |%n",
                    i == chosen ? "**" : "", c.sigmaText(), i == chosen ? "**" : "", c.lookahead(), c.lookahead() / fps,
                    c.thresholds().open(), c.thresholds().close(), c.total(), anomalies,
                    c.opened().stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse(""),
                    i == 0 ? "" : String.format(Locale.ROOT, "more in %d videos, fewer in %d", c.videosMore(),
                            c.videosFewer())));
        }
        return md.toString();
    }
}
