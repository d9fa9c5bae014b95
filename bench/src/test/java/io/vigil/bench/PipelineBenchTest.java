package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.Topics;
import io.vigil.proto.v1.AnomalyEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The pipeline bench's latency columns from records with known timestamps. */
class PipelineBenchTest {

    private static ConsumerRecord<String, byte[]> event(long startFrame, AnomalyEvent.State state, long timestamp) {
        byte[] value = AnomalyEvent.newBuilder().setCameraId("cam").setStartFrameIndex(startFrame).setState(state).build()
                .toByteArray();
        return new ConsumerRecord<>(Topics.ANOMALY_EVENTS, 0, startFrame, timestamp, TimestampType.CREATE_TIME,
                value.length, value.length, "cam", value, new RecordHeaders(), java.util.Optional.empty());
    }

    @Test
    void eventsAreListedWhileFewAndSummedUpInPercentilesWhenMany() {
        Map<String, Long> frameIn = new HashMap<>();
        Map<String, Long> scored = new HashMap<>();
        List<ConsumerRecord<String, byte[]>> events = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            long frame = 10L * i;
            frameIn.put("cam|" + frame, 0L);
            scored.put("cam|" + frame, 1000L);
            events.add(event(frame, AnomalyEvent.State.OPEN, 1000L + 10L * i)); // 10 ms .. 1 s after the score
            events.add(event(frame, AnomalyEvent.State.CLOSED, 50_000L)); // not an announcement
        }
        assertEquals("0.0 s (1.0 s), 0.0 s (1.0 s)", PipelineBench.eventLatency(events.subList(0, 4), ConsumerRecord::timestamp, frameIn, scored));
        assertEquals("100 events, p50 / p95 / p99: 0.5 / 1.0 / 1.0 s (1.5 / 2.0 / 2.0 s)",
                PipelineBench.eventLatency(events, ConsumerRecord::timestamp, frameIn, scored));
        assertEquals("no event", PipelineBench.eventLatency(List.of(), ConsumerRecord::timestamp, frameIn, scored));
    }
}
