package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.kafka.TopicSnapshot;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.proto.Topics;
import io.vigil.proto.serde.VigilSerdes;
import io.vigil.proto.v1.AnomalyEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a first run shows ({@code ./run-local.sh} with no arguments, issue 28): the default synthetic street, its
 * injected anomalies, the packaged services and a real broker, the street's model from {@code models/} with the
 * thresholds and smoothing its descriptor names. Each injected anomaly opens an event of its own that closes after it.
 */
class StreetFirstRunIT {

    /** An event may open this much before its anomaly: the smoothing's look-ahead, 30 frames at most on the street. */
    static final int EARLY = 30;

    @TempDir
    Path data;

    @Test
    void theDefaultStreetOpensAnEventForEachInjectedAnomalyAndClosesIt() throws Exception {
        Path home = Path.of("..").toAbsolutePath().normalize();
        Path truth = data.resolve("street");
        LocalOptions o = new LocalOptions(
                LocalOptions.Cameras.of(LocalOptions.DEFAULT_SOURCE + "&labels=" + truth, LocalOptions.DEFAULT_CAMERA),
                new LocalOptions.Detection("motion", Optional.empty()), LocalOptions.Learning.NONE,
                new LocalOptions.Run(false, Duration.ofSeconds(80), home), LocalOptions.Site.of(data, true,
                        LocalKafkaBroker.freePort()));
        assertEquals(0, VigilLocal.run(o), "vigil-local; logs in " + data.resolve("logs"));

        List<String> labels = Files.readAllLines(Path.of(truth + ".labels.txt"));
        List<int[]> anomalies = new ArrayList<>(); // first and last frame of each injected anomaly
        for (int f = 0; f < labels.size(); f++) {
            if (labels.get(f).equals("1") && (f == 0 || !labels.get(f - 1).equals("1"))) {
                int last = f;
                while (last + 1 < labels.size() && labels.get(last + 1).equals("1")) {
                    last++;
                }
                anomalies.add(new int[] {f, last});
            }
        }
        List<AnomalyEvent> events;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(data.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            events = TopicSnapshot.readAll(broker.bootstrapServers(), Topics.ANOMALY_EVENTS, Duration.ofMinutes(2)).stream()
                    .map(VigilSerdes.ANOMALY_EVENT::parse).toList();
        }
        List<AnomalyEvent> opened = events.stream().filter(e -> e.getState() == AnomalyEvent.State.OPEN).toList();
        List<AnomalyEvent> closed = events.stream().filter(e -> e.getState() == AnomalyEvent.State.CLOSED).toList();
        String seen = "anomalies " + anomalies.stream().map(a -> a[0] + ".." + a[1]).toList() + ", events "
                + events.stream().map(e -> e.getState() + " " + e.getStartFrameIndex() + ".." + e.getEndFrameIndex()).toList();

        System.out.println("the default street: " + seen);
        // The anomalies the run saw whole, with time left for their event to close.
        long lastFrame = labels.size() - 1;
        List<int[]> judged = anomalies.stream().filter(a -> a[1] + 3 * EARLY < lastFrame).toList();
        assertTrue(judged.size() >= 3, "the run shows at least three anomalies whole: " + seen);
        int own = 0;
        for (int[] a : judged) {
            boolean opens = opened.stream().anyMatch(e -> e.getStartFrameIndex() >= a[0] - EARLY
                    && e.getStartFrameIndex() <= a[1]);
            boolean closes = closed.stream().anyMatch(e -> e.getStartFrameIndex() >= a[0] - EARLY
                    && e.getStartFrameIndex() <= a[1] && e.getEndFrameIndex() < a[1] + 3 * EARLY);
            own += opens && closes ? 1 : 0;
        }
        assertTrue(own >= judged.size() - 1, "an event of its own that closes after it, for all but at most one of "
                + judged.size() + " anomalies (the bar is 90 %): " + seen);
        long elsewhere = opened.stream().filter(e -> anomalies.stream().noneMatch(a -> e.getStartFrameIndex() >= a[0] - EARLY
                && e.getStartFrameIndex() <= a[1])).count();
        assertTrue(elsewhere <= 1, "at most one event where no anomaly was (the street's rate is a few an hour): " + seen);
    }
}
