package io.vigil.evaluation;

import io.vigil.common.scoring.EventDetector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator gets from the alert-sink's default rules: for each labelled anomaly (a run of anomalous frames),
 * whether an event covered it, how many frames after the anomaly's first frame the event starts, and how many frames
 * the chain had read past that first frame when it announced the event (OPEN); and the events that covered no
 * anomalous frame, false alarms, per hour of video.
 */
public record OperatorView(List<Span> spans, int events, int falseAlarms, long frames, double fps, float peakScore) {

    /**
     * A labelled anomaly. In frames from its first frame: {@code startDelay} to the first frame of the event that covers
     * it (negative when the smoothing opened it earlier), {@code announceDelay} to the frame being read when the OPEN
     * was announced (this includes the sequence's t frames and the smoothing's look-ahead). Both null: missed.
     */
    public record Span(String video, int first, int last, Integer startDelay, Integer announceDelay) {
        public boolean covered() {
            return startDelay != null;
        }
    }

    /** An event as a whole: its frames and the frame at which it was opened. */
    private record EventSpan(long start, long end, long openedAt) {
    }

    public static OperatorView of(List<Datasets.LabelledVideo> videos, List<OfflinePipeline.VideoResult> results, double fps) {
        List<Span> spans = new ArrayList<>();
        int events = 0;
        int falseAlarms = 0;
        long frames = 0;
        float peak = 0;
        for (int i = 0; i < videos.size(); i++) {
            boolean[] labels = videos.get(i).labels();
            frames += labels.length;
            for (float s : results.get(i).frameScores().getOrDefault(OfflinePipeline.ALL, new float[0])) {
                peak = Math.max(peak, s);
            }
            List<EventSpan> es = events(results.get(i).events());
            events += es.size();
            for (EventSpan e : es) {
                boolean anomalous = false;
                for (long f = Math.max(0, e.start()); f <= Math.min(labels.length - 1, e.end()); f++) {
                    anomalous |= labels[(int) f];
                }
                falseAlarms += anomalous ? 0 : 1;
            }
            List<int[]> runs = runs(labels);
            for (int r = 0; r < runs.size(); r++) {
                int f = runs.get(r)[0];
                int last = runs.get(r)[1];
                EventSpan first = null; // the earliest announced event that opened for this anomaly
                for (EventSpan e : es) {
                    if (firstCovered(e, runs) == r && (first == null || e.openedAt() < first.openedAt())) {
                        first = e;
                    }
                }
                spans.add(first == null ? new Span(videos.get(i).id(), f, last, null, null)
                        : new Span(videos.get(i).id(), f, last, (int) (first.start() - f), (int) (first.openedAt() - f)));
            }
        }
        return new OperatorView(spans, events, falseAlarms, frames, fps, peak);
    }

    private static List<EventSpan> events(List<OfflinePipeline.Announced> announcements) {
        Map<String, long[]> byId = new LinkedHashMap<>(); // start, end, opened at
        for (OfflinePipeline.Announced a : announcements) {
            EventDetector.Event e = a.event();
            long[] s = byId.computeIfAbsent(e.id(), k -> new long[] {e.startFrame(), e.endFrame(), Long.MAX_VALUE});
            s[1] = Math.max(s[1], e.endFrame());
            if (e.state() == EventDetector.State.OPEN) {
                s[2] = Math.min(s[2], a.atFrame());
            }
        }
        return byId.values().stream().map(s -> new EventSpan(s[0], s[1], s[2] == Long.MAX_VALUE ? s[0] : s[2])).toList();
    }

    /**
     * The first labelled anomaly (index into {@code runs}) an event covers, -1 for none. An event opens at most that
     * one: one that lasts over several anomalies alerts the operator once, so it finds one of them, not all.
     */
    private static int firstCovered(EventSpan e, List<int[]> runs) {
        for (int r = 0; r < runs.size(); r++) {
            if (e.start() <= runs.get(r)[1] && e.end() >= runs.get(r)[0]) {
                return r;
            }
        }
        return -1;
    }

    /** The labelled anomalies of a video: each run of anomalous frames, its first and last frame. */
    static List<int[]> runs(boolean[] labels) {
        List<int[]> out = new ArrayList<>();
        for (int f = 0; f < labels.length; f++) {
            if (labels[f] && (f == 0 || !labels[f - 1])) {
                int last = f;
                while (last + 1 < labels.length && labels[last + 1]) {
                    last++;
                }
                out.add(new int[] {f, last});
            }
        }
        return out;
    }

    /** The labelled anomalies of {@code videos}. */
    static int anomalies(List<Datasets.LabelledVideo> videos) {
        return videos.stream().mapToInt(v -> runs(v.labels()).size()).sum();
    }

    /**
     * The labelled anomalies an event covers, per video, when the alert-sink's rules, with {@code settings}, run on
     * these smoothed frame scores (one series per video, in order): what another threshold or another scoring would
     * open.
     */
    static List<Integer> opened(List<Datasets.LabelledVideo> videos, List<float[]> smoothed, EventDetector.Settings settings) {
        List<Integer> opened = new ArrayList<>();
        for (int i = 0; i < videos.size(); i++) {
            List<EventSpan> es = events(EventDetector.replay(videos.get(i).id(), smoothed.get(i), settings).stream()
                    .map(e -> new OfflinePipeline.Announced(e, e.endFrame())).toList());
            List<int[]> runs = runs(videos.get(i).labels());
            opened.add((int) es.stream().mapToInt(e -> firstCovered(e, runs)).filter(r -> r >= 0).distinct().count());
        }
        return opened;
    }

    public long covered() {
        return spans.stream().filter(Span::covered).count();
    }

    /** The median start delay of the covered spans, in frames (null when none was covered). */
    public Double medianStartDelay() {
        return median(spans.stream().filter(Span::covered).map(Span::startDelay).sorted().toList());
    }

    /** The median announcement delay of the covered spans, in frames (null when none was covered). */
    public Double medianAnnounceDelay() {
        return median(spans.stream().filter(Span::covered).map(Span::announceDelay).sorted().toList());
    }

    private static Double median(List<Integer> d) {
        if (d.isEmpty()) {
            return null;
        }
        int n = d.size();
        return n % 2 == 1 ? d.get(n / 2) : (d.get(n / 2 - 1) + d.get(n / 2)) / 2.0;
    }

    public double hours() {
        return frames / fps / 3600;
    }
}
