package io.vigil.common.scoring;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What made an object unusual, from its cues' surprises (an {@code ObjectScore}'s {@code cue_surprises}): each cue's
 * share of their sum, the cue with the largest share, and that cue in words for an operator.
 */
public final class Cues {

    /** The cause, each cue's share (adding up to 1), or no cause when no cue was surprising at all. */
    public record Explanation(String cause, Map<String, Float> shares) {
        public static final Explanation NONE = new Explanation("", Map.of());

        /** The cause in words, e.g. "unusually fast (speed 61 %, distillation 22 %, ...)"; "" without a cause. */
        public String words() {
            if (cause.isEmpty()) {
                return "";
            }
            StringBuilder s = new StringBuilder(describe(cause)).append(" (");
            shares.entrySet().stream().sorted((a, b) -> Float.compare(b.getValue(), a.getValue())).forEach(e -> s
                    .append(s.charAt(s.length() - 1) == '(' ? "" : ", ").append(describe(e.getKey(), false))
                    .append(String.format(Locale.ROOT, " %.0f %%", 100 * e.getValue())));
            return s.append(')').toString();
        }
    }

    private Cues() {
    }

    /**
     * Shares of the positive surprises (a cue less surprising than the median normal object adds nothing); the cause
     * is the largest, the first in task order on a tie.
     */
    public static Explanation explain(Map<String, Float> surprises) {
        double sum = 0;
        for (float s : surprises.values()) {
            sum += Float.isFinite(s) ? Math.max(0, s) : 0;
        }
        if (!(sum > 0)) {
            return Explanation.NONE;
        }
        Map<String, Float> shares = new LinkedHashMap<>();
        String cause = "";
        float best = -1;
        for (SsmtlScorer.Task t : SsmtlScorer.Task.values()) {
            Float s = surprises.get(t.output);
            if (s != null) {
                float share = (float) ((Float.isFinite(s) ? Math.max(0, s) : 0) / sum);
                shares.put(t.output, share);
                if (share > best) {
                    best = share;
                    cause = t.output;
                }
            }
        }
        return cause.isEmpty() ? Explanation.NONE : new Explanation(cause, shares);
    }

    /** A cue in an operator's words ("unusually fast"); an unknown name as it is. */
    public static String describe(String cue) {
        return describe(cue, true);
    }

    private static String describe(String cue, boolean asCause) {
        return switch (cue) {
            case "arrow_of_time" -> asCause ? "moves as if played backwards" : "arrow of time";
            case "irregularity" -> asCause ? "unusual motion" : "motion";
            case "reconstruction" -> asCause ? "unusual appearance in motion" : "middle box";
            case "distillation" -> asCause ? "unusual appearance" : "appearance";
            case "speed" -> asCause ? "unusually fast" : "speed";
            default -> cue;
        };
    }
}
