package io.vigil.alerts;

import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameScore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What the REST API, the live stream and the page show: the newest events (upserted by id: OPEN, UPDATE and
 * CLOSED of one event are one entry) and each camera's recent frame scores. Thread-safe; no Kafka in here.
 */
public final class EventIndex {

    /** Filter of {@link #events}; nulls match everything. */
    public record Query(String camera, Long fromMs, Long toMs, int limit) {
    }

    private final int maxEvents;
    private final int timelinePoints;
    private final int maxCameras;
    private final long retentionMs;
    private final LongSupplier clock;
    private final LinkedHashMap<String, AnomalyEvent> events = new LinkedHashMap<>();
    private final Map<String, Deque<FrameScore>> timelines = new TreeMap<>();
    /** When each camera's timeline last changed (wall clock ms), least recently first. */
    private final LinkedHashMap<String, Long> updated = new LinkedHashMap<>(16, 0.75f, true);
    private final List<Consumer<AnomalyEvent>> listeners = new CopyOnWriteArrayList<>();

    /** Timelines of at most {@code maxCameras}, each forgotten {@code retention} after its last score. */
    public EventIndex(int maxEvents, int timelinePoints, int maxCameras, Duration retention, LongSupplier clock) {
        this.maxEvents = maxEvents;
        this.timelinePoints = timelinePoints;
        this.maxCameras = maxCameras;
        this.retentionMs = retention.toMillis();
        this.clock = clock;
    }

    /**
     * An announcement. The entry keeps the detector's latest state and span, the thumbnail once there was one, and
     * the latest review (REVIEWED announcements carry it; the detector's later ones do not repeat it).
     */
    public void onEvent(AnomalyEvent e) {
        AnomalyEvent kept;
        synchronized (this) {
            if (e.getState() == AnomalyEvent.State.REVIEWED && !events.containsKey(e.getEventId())) {
                return; // a review of an event never announced (or long gone) shows nothing
            }
            AnomalyEvent previous = events.remove(e.getEventId());
            kept = previous == null ? e : merge(previous, e);
            events.put(e.getEventId(), kept);
            while (events.size() > maxEvents) {
                events.remove(events.keySet().iterator().next());
            }
        }
        listeners.forEach(l -> l.accept(kept));
    }

    private static AnomalyEvent merge(AnomalyEvent previous, AnomalyEvent e) {
        if (e.getState() == AnomalyEvent.State.REVIEWED) {
            return previous.toBuilder().setReview(e.getReview()).build();
        }
        AnomalyEvent.Builder b = e.toBuilder();
        if (e.getThumbnailJpeg().isEmpty()) {
            b.setThumbnailJpeg(previous.getThumbnailJpeg());
        }
        if (!e.hasReview() && previous.hasReview()) {
            b.setReview(previous.getReview());
        }
        return b.build();
    }

    public synchronized void onFrameScore(FrameScore s) {
        long now = clock.getAsLong();
        Deque<FrameScore> t = timelines.computeIfAbsent(s.getCameraId(), c -> new ArrayDeque<>());
        t.addLast(s);
        while (t.size() > timelinePoints) {
            t.removeFirst();
        }
        updated.put(s.getCameraId(), now);
        var oldest = updated.entrySet().iterator();
        while (oldest.hasNext()) {
            var e = oldest.next();
            if (updated.size() <= maxCameras && now - e.getValue() < retentionMs) {
                break;
            }
            timelines.remove(e.getKey());
            oldest.remove();
        }
    }

    /** Matching events, newest start first. */
    public synchronized List<AnomalyEvent> events(Query q) {
        List<AnomalyEvent> out = new ArrayList<>();
        for (AnomalyEvent e : events.values()) {
            if ((q.camera() == null || q.camera().equals(e.getCameraId()))
                    && (q.fromMs() == null || e.getEndTimeMs() >= q.fromMs())
                    && (q.toMs() == null || e.getStartTimeMs() <= q.toMs())) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong(AnomalyEvent::getStartTimeMs).thenComparing(AnomalyEvent::getEventId).reversed());
        return out.size() > q.limit() ? out.subList(0, q.limit()) : out;
    }

    public synchronized Optional<AnomalyEvent> event(String id) {
        return Optional.ofNullable(events.get(id));
    }

    public synchronized List<String> cameras() {
        List<String> out = new ArrayList<>(timelines.keySet());
        events.values().stream().map(AnomalyEvent::getCameraId).distinct().filter(c -> !out.contains(c)).forEach(out::add);
        return out;
    }

    public synchronized List<FrameScore> timeline(String camera) {
        return new ArrayList<>(timelines.getOrDefault(camera, new ArrayDeque<>()));
    }

    /** Called with every event announcement as it arrives (the live stream). */
    public Runnable subscribe(Consumer<AnomalyEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
