package io.vigil.evaluation;

import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.scoring.Calibrator;
import io.vigil.common.scoring.CueCalibration;
import io.vigil.common.scoring.EventDetector;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.common.scoring.SpeedBands;
import io.vigil.common.scoring.SsmtlScorer;
import io.vigil.common.scoring.TaskCalibration;
import io.vigil.common.scoring.ThresholdCalibration;
import io.vigil.evaluation.metrics.FrameAuc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether each component of the scoring earns its place, judged as a choice made on some videos and paid for on
 * another. Leave-one-video-out over the labelled videos: in each fold one video is held out, and for each component
 * the report gives the change its presence makes to the held-out video's micro AUC ({@link FrameAuc#heldOut}: its
 * frames against every video's, so a video whose normal frames score high costs here), beside the change on the other
 * videos, which is all a choice made without the held-out video could have seen. Then, on normal video, whether a
 * frame's score rises with the number of objects in it (Spearman's ρ; a maximum over more objects rises by itself).
 *
 * <p>The rule a default follows: a component stays when it helps the held-out video in most folds and its scores do not
 * follow the crowd ({@code |ρ| < } {@link #CROWD_LIMIT}). Where the normal video is long enough to read a false-alarm
 * budget from ({@link #EVENTS_DECIDE_HOURS}), what an operator gets decides instead, by the same rule over events
 * ({@link Opened}): the bar a camera is held to counts events, and a cue can rank frames better yet open fewer.
 */
public record CrossValidation(List<ComponentResult> components, List<Crowding> crowding, List<Opened> opened,
        boolean eventsDecide) {

    /** |ρ| below this is a very weak association, by the usual reading of a rank correlation. */
    public static final double CROWD_LIMIT = 0.2;

    /**
     * Normal footage from which a false-alarm budget can be read: with less, the thresholds it calls for only say where
     * its few highest frames lie (Ped2's 4 minutes), and the frame AUC decides.
     */
    public static final double EVENTS_DECIDE_HOURS = 1.0;

    /**
     * A component: the scoring with it and without it (names of {@link OfflinePipeline.Variant}s), and the variant
     * whose crowd dependence decides for it (a cue alone, or the scoring with it).
     */
    public record Component(String name, String with, String without, String crowdVariant) {
    }

    /**
     * One fold, as differences with − without: of the micro AUC over the other videos (what choosing there sees), of
     * the held-out video's micro AUC, and of its own AUC.
     */
    public record Fold(String video, double selection, double heldOut, double own) {
    }

    public record ComponentResult(Component component, List<Fold> folds, int helps, double crowdRho, boolean keep) {
        public String verdict() {
            return CrossValidation.verdict(2 * helps > folds.size(), "helps the held-out video in " + helps + " of "
                    + folds.size() + " folds", crowdRho);
        }
    }

    /** Either rule's verdict: keep when the component helps and does not follow the crowd, else why not. */
    static String verdict(boolean helps, String howMuch, double crowdRho) {
        boolean crowdFree = Math.abs(crowdRho) < CROWD_LIMIT;
        return helps && crowdFree ? "keep" : "drop: " + (!helps ? howMuch : "") + (!helps && !crowdFree ? "; " : "")
                + (!crowdFree ? String.format(Locale.ROOT, "follows the crowd (rho %.2f)", crowdRho) : "");
    }

    /** On normal video: the rank correlation of a variant's frame scores with the frame's object count, and a slope. */
    public record Crowding(String variant, double spearman, double slopePerObject, int frames) {
    }

    /**
     * What an operator would get with and without a component, beside the folds (which judge by frame AUC): each side's
     * event thresholds set by the normal video's false-alarm budget, as the trainer sets a camera's, and the labelled
     * anomalies that open an event at them, per video. The thresholds come from normal video alone, so each video is a
     * fold of its own. The rule, like the folds': a component stays when it opens more of a video's anomalies than the
     * scoring without it in more videos than it opens fewer, and does not follow the crowd.
     */
    public record Opened(String component, int anomalies, float withOpen, List<Integer> withByVideo, float withoutOpen,
            List<Integer> withoutByVideo, double crowdRho) {

        public int withOpened() {
            return withByVideo.stream().mapToInt(Integer::intValue).sum();
        }

        public int withoutOpened() {
            return withoutByVideo.stream().mapToInt(Integer::intValue).sum();
        }

        /** Videos in which the scoring with the component opens more anomalies than without it. */
        public int videosMore() {
            return videosMore(withByVideo, withoutByVideo);
        }

        /** Videos in which it opens fewer. */
        public int videosFewer() {
            return videosMore(withoutByVideo, withByVideo);
        }

        /** Videos (same order in both) in which {@code a} opens more anomalies than {@code b}. */
        static int videosMore(List<Integer> a, List<Integer> b) {
            return (int) java.util.stream.IntStream.range(0, a.size()).filter(v -> a.get(v) > b.get(v)).count();
        }

        public boolean keep() {
            return videosMore() > videosFewer() && Math.abs(crowdRho) < CROWD_LIMIT;
        }

        public String verdict() {
            return CrossValidation.verdict(videosMore() > videosFewer(), "opens more in " + videosMore() + " videos, fewer in "
                    + videosFewer(), crowdRho);
        }
    }

    /** The alert-sink's event rules, the footage's frame rate and the false-alarm budget for {@link Opened}. */
    public record EventBudget(EventDetector.Settings defaults, double fps, double eventsPerDay) {
    }

    /** The variants to score and the components they compare. */
    public record Plan(List<OfflinePipeline.Variant> variants, List<Component> components) {
    }

    /**
     * The components of the scoring around its defaults (the model's cues and how it combines them, the timeline's
     * aggregation): each cue the scorer has, in or out of the default set, the rarest cue in place of the cues' mean
     * (or the other way round), the arrow of time by band of speed (or by one table), and the crowd adjustment. Every
     * set of cues is put on its own combined scale, calibrated on {@code normal}'s objects, so that each variant's frame
     * scores are surprises.
     */
    public static Plan plan(SsmtlScorer scorer, Calibrator normal, AlertTimeline.Settings timeline) {
        Set<SsmtlScorer.Task> defaults = scorer.defaultTasks();
        SsmtlScorer.Combination rule = scorer.combination();
        FrameScorer.Aggregation aggregation = timeline.aggregation();
        FrameScorer.Aggregation other = aggregation == FrameScorer.Aggregation.MAXIMUM ? FrameScorer.Aggregation.CROWD_ADJUSTED
                : FrameScorer.Aggregation.MAXIMUM;
        Map<String, OfflinePipeline.Variant> variants = new java.util.LinkedHashMap<>();
        variants.put(OfflinePipeline.ALL, new OfflinePipeline.Variant(OfflinePipeline.ALL, s -> scorer.scoreOf(s, defaults),
                timeline));
        // A variant's name: its cues, its aggregation, and its rule where it is not the model's.
        VariantMaker variant = (tasks, r, a) -> {
            String name = SsmtlScorer.taskNames(tasks).replace(",", "+") + (r == rule ? "" : ", " + lower(r)) + ", " + lower(a);
            variants.computeIfAbsent(name, n -> {
                TaskCalibration scale = normal.combinedScale(tasks, scorer.calibration(), r);
                return new OfflinePipeline.Variant(n, s -> scorer.scoreOf(s, tasks, r, scale), timeline.withAggregation(a));
            });
            return name;
        };
        List<Component> components = new ArrayList<>();
        for (SsmtlScorer.Task task : scorer.tasks()) {
            EnumSet<SsmtlScorer.Task> with = EnumSet.copyOf(defaults);
            with.add(task);
            EnumSet<SsmtlScorer.Task> without = EnumSet.copyOf(defaults);
            without.remove(task);
            String alone = OfflinePipeline.alone(task);
            variants.put(alone, new OfflinePipeline.Variant(alone, s -> scorer.scoreOf(s, EnumSet.of(task)), timeline));
            if (!without.isEmpty()) {
                components.add(new Component(task.output + (defaults.contains(task) ? "" : " (not in the default)"),
                        variant.name(with, rule, aggregation), variant.name(without, rule, aggregation), alone));
            }
        }
        if (defaults.size() > 1) {
            String rarest = variant.name(defaults, SsmtlScorer.Combination.RAREST, aggregation);
            components.add(new Component("rarest cue, not the mean" + (rule == SsmtlScorer.Combination.RAREST ? ""
                    : " (not in the default)"), rarest, variant.name(defaults, SsmtlScorer.Combination.MEAN, aggregation),
                    rarest));
        }
        speedBandsComponent(scorer, normal, timeline, defaults, variant.name(defaults, rule, aggregation), variants)
                .ifPresent(components::add);
        String adjusted = variant.name(defaults, rule, FrameScorer.Aggregation.CROWD_ADJUSTED);
        String maximum = variant.name(defaults, rule, FrameScorer.Aggregation.MAXIMUM);
        components.add(new Component("crowd adjustment" + (aggregation == FrameScorer.Aggregation.CROWD_ADJUSTED ? ""
                : " (not in the default)"), adjusted, maximum, adjusted));
        variant.name(defaults, rule, other);
        return new Plan(List.copyOf(variants.values()), components);
    }

    /**
     * The arrow of time read by band of speed against one table over all speeds, the rest of the scoring as it is:
     * each side on its own combined scale, and the arrow alone with the bands for the crowd check. Empty when the
     * default has no arrow of time or the normal objects are too few for bands.
     */
    private static java.util.Optional<Component> speedBandsComponent(SsmtlScorer scorer, Calibrator normal,
            AlertTimeline.Settings timeline, Set<SsmtlScorer.Task> defaults, String defaultVariant,
            Map<String, OfflinePipeline.Variant> variants) {
        SsmtlScorer.Task arrow = SsmtlScorer.Task.ARROW_OF_TIME;
        CueCalibration model = scorer.calibration();
        boolean banded = model.bySpeed().containsKey(arrow);
        SpeedBands bands = banded ? null : normal.speedBands(arrow);
        if (!defaults.contains(arrow) || (!banded && bands == null)) {
            return java.util.Optional.empty();
        }
        CueCalibration other = model.withSpeedBands(arrow, bands);
        SsmtlScorer.Combination rule = scorer.combination();
        String otherName = defaultVariant + (banded ? ", arrow of time by one table" : ", arrow of time by speed band");
        TaskCalibration scale = normal.combinedScale(defaults, other, rule);
        variants.put(otherName, new OfflinePipeline.Variant(otherName, s -> scorer.scoreOf(s, defaults, rule, scale, other),
                timeline));
        String aloneBanded = OfflinePipeline.alone(arrow);
        if (!banded) {
            aloneBanded += ", by speed band";
            Set<SsmtlScorer.Task> only = EnumSet.of(arrow);
            TaskCalibration aloneScale = normal.combinedScale(only, other, rule);
            variants.put(aloneBanded, new OfflinePipeline.Variant(aloneBanded, s -> scorer.scoreOf(s, only, rule, aloneScale,
                    other), timeline));
        }
        return java.util.Optional.of(new Component("arrow of time by speed band" + (banded ? "" : " (not in the default)"),
                banded ? defaultVariant : otherName, banded ? otherName : defaultVariant, aloneBanded));
    }

    private interface VariantMaker {
        String name(Set<SsmtlScorer.Task> tasks, SsmtlScorer.Combination rule, FrameScorer.Aggregation aggregation);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param labelled the labelled videos, in the order of {@code results}
     * @param normal the results on normal video, with every variant the components name
     * @param budget for the anomalies each side opens at its own thresholds, or null
     */
    public static CrossValidation of(List<Datasets.LabelledVideo> labelled, List<OfflinePipeline.VideoResult> results,
            List<OfflinePipeline.VideoResult> normal, List<Component> components, EventBudget budget) {
        List<Crowding> crowding = new ArrayList<>();
        for (String variant : normal.get(0).rawFrameScores().keySet()) {
            crowding.add(crowding(variant, normal));
        }
        Map<String, Crowding> byVariant = new java.util.HashMap<>();
        crowding.forEach(c -> byVariant.put(c.variant(), c));
        List<ComponentResult> out = new ArrayList<>();
        for (Component c : components) {
            List<Fold> folds = folds(videos(labelled, results, c.with()), videos(labelled, results, c.without()));
            int helps = helps(folds);
            Crowding crowd = byVariant.get(c.crowdVariant());
            if (crowd == null) {
                throw new IllegalArgumentException("no normal-video scores of variant " + c.crowdVariant());
            }
            boolean keep = 2 * helps > folds.size() && Math.abs(crowd.spearman()) < CROWD_LIMIT;
            out.add(new ComponentResult(c, folds, helps, crowd.spearman(), keep));
        }
        List<Opened> opened = new ArrayList<>();
        if (budget != null) {
            for (ComponentResult r : out) {
                Component c = r.component();
                ThresholdCalibration.Choice with = thresholds(normal, c.with(), budget);
                ThresholdCalibration.Choice without = thresholds(normal, c.without(), budget);
                opened.add(new Opened(c.name(), OperatorView.anomalies(labelled), with.open(),
                        OperatorView.opened(labelled, series(results, c.with()), at(budget.defaults(), with)), without.open(),
                        OperatorView.opened(labelled, series(results, c.without()), at(budget.defaults(), without)),
                        r.crowdRho()));
            }
        }
        double normalHours = budget == null ? 0
                : normal.stream().mapToLong(r -> r.objectsPerFrame().length).sum() / budget.fps() / 3600;
        return new CrossValidation(out, crowding, opened, !opened.isEmpty() && normalHours >= EVENTS_DECIDE_HOURS);
    }

    /** Leave one video out: each video's fold, as differences with − without. */
    static List<Fold> folds(List<FrameAuc.Video> with, List<FrameAuc.Video> without) {
        List<Fold> folds = new ArrayList<>();
        for (int v = 0; v < with.size(); v++) {
            List<FrameAuc.Video> restWith = new ArrayList<>(with);
            restWith.remove(v);
            List<FrameAuc.Video> restWithout = new ArrayList<>(without);
            restWithout.remove(v);
            folds.add(new Fold(with.get(v).id(), FrameAuc.micro(restWith) - FrameAuc.micro(restWithout),
                    FrameAuc.heldOut(with, v) - FrameAuc.heldOut(without, v),
                    FrameAuc.video(with.get(v)) - FrameAuc.video(without.get(v))));
        }
        return folds;
    }

    /** The folds whose held-out video gains. */
    public static int helps(List<Fold> folds) {
        return (int) folds.stream().filter(f -> f.heldOut() > 0).count();
    }

    /**
     * This run's headline frame scores against another run's on the same videos (a model before retraining, say),
     * fold by fold as a component is judged.
     *
     * @param other the other run's frame scores, video by video in the order of {@code labelled}
     */
    public static List<Fold> against(List<Datasets.LabelledVideo> labelled, List<OfflinePipeline.VideoResult> results,
            List<float[]> other) {
        if (other.size() != labelled.size()) {
            throw new IllegalArgumentException("the other run has " + other.size() + " videos, this one " + labelled.size());
        }
        List<FrameAuc.Video> before = new ArrayList<>();
        for (int i = 0; i < labelled.size(); i++) {
            before.add(new FrameAuc.Video(labelled.get(i).id(), other.get(i), labelled.get(i).labels()));
        }
        return folds(videos(labelled, results, OfflinePipeline.ALL), before);
    }

    /** A markdown table of {@link #against}'s folds. */
    public static String againstMarkdown(String other, List<Fold> folds) {
        StringBuilder md = new StringBuilder("## Against " + other + "\n\nLeave one video out, as the components are "
                + "judged: the change in the held-out video's micro AUC from the other run's frame scores to this run's "
                + "(in brackets: on the other videos).\n\n|");
        folds.forEach(f -> md.append(' ').append(f.video()).append(" |"));
        md.append(" helps |\n|").append("---|".repeat(folds.size() + 1)).append("\n|");
        folds.forEach(f -> md.append(String.format(Locale.ROOT, " %+.1f (%+.1f) |", 100 * f.heldOut(), 100 * f.selection())));
        md.append(' ').append(helps(folds)).append(" of ").append(folds.size()).append(" |\n");
        return md.toString();
    }

    private static ThresholdCalibration.Choice thresholds(List<OfflinePipeline.VideoResult> normal, String variant,
            EventBudget budget) {
        return ThresholdCalibration.choose(series(normal, variant), budget.fps(), budget.eventsPerDay(), budget.defaults());
    }

    private static List<float[]> series(List<OfflinePipeline.VideoResult> results, String variant) {
        return results.stream().map(r -> r.frameScores().get(variant)).toList();
    }

    private static EventDetector.Settings at(EventDetector.Settings d, ThresholdCalibration.Choice c) {
        return d.withThresholds(c.open(), c.close());
    }

    private static List<FrameAuc.Video> videos(List<Datasets.LabelledVideo> labelled, List<OfflinePipeline.VideoResult> results,
            String variant) {
        List<FrameAuc.Video> out = new ArrayList<>();
        for (int i = 0; i < labelled.size(); i++) {
            float[] scores = results.get(i).frameScores().get(variant);
            if (scores == null) {
                throw new IllegalArgumentException("no frame scores of variant " + variant);
            }
            out.add(new FrameAuc.Video(labelled.get(i).id(), scores, labelled.get(i).labels()));
        }
        return out;
    }

    /** Frames with at least one object: frame score (before smoothing) against the object count. */
    static Crowding crowding(String variant, List<OfflinePipeline.VideoResult> normal) {
        int n = 0;
        for (OfflinePipeline.VideoResult r : normal) {
            for (int count : r.objectsPerFrame()) {
                n += count > 0 ? 1 : 0;
            }
        }
        double[] score = new double[n];
        double[] objects = new double[n];
        int k = 0;
        for (OfflinePipeline.VideoResult r : normal) {
            float[] raw = r.rawFrameScores().get(variant);
            for (int f = 0; f < r.objectsPerFrame().length; f++) {
                if (r.objectsPerFrame()[f] > 0) {
                    score[k] = raw[f];
                    objects[k++] = r.objectsPerFrame()[f];
                }
            }
        }
        return new Crowding(variant, pearson(ranks(objects), ranks(score)), slope(objects, score), n);
    }

    /** Ranks from 1, ties sharing their mean rank. */
    static double[] ranks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] out = new double[values.length];
        for (int i = 0; i < order.length;) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            for (int m = i; m <= j; m++) {
                out[order[m]] = (i + j) / 2.0 + 1;
            }
            i = j + 1;
        }
        return out;
    }

    static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
    }

    /** Least-squares slope of y on x. */
    static double slope(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx > 0 ? sxy / sxx : 0;
    }

    /** The report's section: each component fold by fold, its verdict, and the crowd table. */
    public String markdown() {
        StringBuilder md = new StringBuilder("## Leave-one-video-out: what each component does on the video held out\n\n");
        md.append("Each cell: change of the held-out video's micro AUC (its frames against all videos') with the component"
                + " minus without, in points; in brackets the change on the other videos, which is what a choice made there"
                + " sees. Crowd: Spearman's rho of the frame score (before smoothing) with the frame's object count on"
                + " normal video; a component stays when it helps in most folds and |rho| < " + CROWD_LIMIT + ".\n\n");
        List<String> ids = components.isEmpty() ? List.of() : components.get(0).folds().stream().map(Fold::video).toList();
        md.append("| component |");
        ids.forEach(id -> md.append(" ").append(id).append(" |"));
        md.append(" helps | crowd rho | verdict |\n|---|");
        ids.forEach(id -> md.append("---|"));
        md.append("---|---|---|\n");
        for (ComponentResult r : components) {
            md.append("| ").append(r.component().name()).append(" |");
            for (Fold f : r.folds()) {
                md.append(String.format(Locale.ROOT, " %+.1f (%+.1f) |", 100 * f.heldOut(), 100 * f.selection()));
            }
            md.append(String.format(Locale.ROOT, " %d of %d | %.2f | %s |%n", r.helps(), r.folds().size(), r.crowdRho(),
                    r.verdict()));
        }
        if (!opened.isEmpty()) {
            md.append("\nAnomalies that open an event, with and without each component, each side at the event thresholds its"
                    + " normal video calls for (the false-alarm budget the trainer sets a camera's by). Per video: anomalies"
                    + " opened with it / without it. A component stays when it opens more in more videos than it opens"
                    + " fewer, and does not follow the crowd. " + (eventsDecide ? "The normal video is " + EVENTS_DECIDE_HOURS
                    + " h or more, so this verdict decides the default, and the frame AUC's is reported."
                    : "The normal video is under " + EVENTS_DECIDE_HOURS + " h, too little to read a false-alarm budget"
                    + " from, so the frame AUC's verdict decides.") + "\n\n| component | opened with it (open at) |"
                    + " without it (open at) |");
            ids.forEach(id -> md.append(" ").append(id).append(" |"));
            md.append(" more / fewer | verdict |\n|---|---|---|");
            ids.forEach(id -> md.append("---|"));
            md.append("---|---|\n");
            for (Opened o : opened) {
                md.append(String.format(Locale.ROOT, "| %s | %d of %d (%.3f) | %d of %d (%.3f) |", o.component(),
                        o.withOpened(), o.anomalies(), o.withOpen(), o.withoutOpened(), o.anomalies(), o.withoutOpen()));
                for (int v = 0; v < o.withByVideo().size(); v++) {
                    md.append(" ").append(o.withByVideo().get(v)).append(" / ").append(o.withoutByVideo().get(v)).append(" |");
                }
                md.append(String.format(Locale.ROOT, " %d / %d | %s |%n", o.videosMore(), o.videosFewer(), o.verdict()));
            }
        }
        md.append("\n| variant, on normal video | Spearman rho with object count | slope per object | frames |\n|---|---|---|---|\n");
        for (Crowding c : crowding) {
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %+.3f | %d |%n", c.variant(), c.spearman(), c.slopePerObject(),
                    c.frames()));
        }
        return md.toString();
    }
}
