package io.vigil.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.Record;

/**
 * When a read_committed consumer could first see each record: a record of a transaction is visible from its commit
 * marker on, which the record's own timestamp does not show. Every service writes in transactions that commit up to
 * a commit interval later, and Kafka Streams stamps an output with its input's time, not when it was made: latencies
 * from record timestamps leave out processing and commits. Read from the broker's log segments after the run: the
 * marker is a control batch of the same producer, later in the same partition, stamped when the broker wrote it.
 */
final class CommitTimes {

    /** Per {@code topic-partition}: the first offset of each run of records made visible at once, its last, and when. */
    private final Map<String, NavigableMap<Long, long[]>> visible;

    private CommitTimes(Map<String, NavigableMap<Long, long[]>> visible) {
        this.visible = visible;
    }

    /** The log directory's partitions of {@code topics}. */
    static CommitTimes read(Path logDir, List<String> topics) throws IOException {
        Map<String, NavigableMap<Long, long[]>> visible = new HashMap<>();
        for (Map.Entry<Path, String> p : partitionDirectories(logDir).entrySet()) {
            if (topics.contains(p.getValue())) {
                visible.put(p.getKey().getFileName().toString(), partition(p.getKey()));
            }
        }
        return new CommitTimes(visible);
    }

    /** A broker's log directory: each partition's directory ({@code topic-N}) and its topic. */
    static Map<Path, String> partitionDirectories(Path logDir) throws IOException {
        Map<Path, String> out = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(logDir)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String name = dir.getFileName().toString();
                int dash = name.lastIndexOf('-');
                if (dash > 0 && dash < name.length() - 1 && name.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                    out.put(dir, name.substring(0, dash));
                }
            }
        }
        return out;
    }

    private static NavigableMap<Long, long[]> partition(Path dir) throws IOException {
        NavigableMap<Long, long[]> out = new TreeMap<>();
        Map<Long, List<long[]>> open = new HashMap<>(); // per producer: its batches since its last marker
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(f -> f.toString().endsWith(".log")).sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path segment : segments) {
            try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
                for (FileChannelRecordBatch batch : records.batches()) {
                    if (!batch.isTransactional()) {
                        out.put(batch.baseOffset(), new long[] {batch.lastOffset(), batch.maxTimestamp()});
                    } else if (!batch.isControlBatch()) {
                        open.computeIfAbsent(batch.producerId(), p -> new ArrayList<>())
                                .add(new long[] {batch.baseOffset(), batch.lastOffset()});
                    } else {
                        List<long[]> ended = open.remove(batch.producerId());
                        Record marker = batch.iterator().next();
                        if (ended != null && ControlRecordType.parse(marker.key()) == ControlRecordType.COMMIT) {
                            for (long[] b : ended) {
                                out.put(b[0], new long[] {b[1], batch.maxTimestamp()});
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** When a read_committed consumer could first read {@code r}; its own timestamp where the log does not say. */
    long visibleAt(ConsumerRecord<?, ?> r) {
        NavigableMap<Long, long[]> p = visible.get(r.topic() + "-" + r.partition());
        Map.Entry<Long, long[]> run = p == null ? null : p.floorEntry(r.offset());
        return run != null && r.offset() <= run.getValue()[0] ? run.getValue()[1] : r.timestamp();
    }
}
