package io.vigil.evaluation.footage;

import io.vigil.kafka.KafkaClientConfig;
import io.vigil.proto.Durations;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options that take a camera's footage from {@code vigil.frames} (a picocli mixin): the broker with the evaluator's
 * client settings, the camera, and a time range, as {@code --since 3h} or {@code --from T --to T}.
 */
public final class TopicFootageOptions {

    @Option(names = "--from-topic", paramLabel = "HOST:PORT", description = "read the camera's footage from "
            + "vigil.frames on this broker")
    String bootstrap;
    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings for a secured broker "
            + "(security.protocol, ssl.*, sasl.*)")
    Path kafkaConfig;
    @Option(names = "--camera", paramLabel = "ID", description = "the camera whose footage to learn from")
    String camera;
    @Option(names = "--since", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "the last DURATION, e.g. 3h, 90m, 2d")
    Duration since;
    @Option(names = "--from", paramLabel = "TIME", description = "capture time to start at, e.g. 2026-12-02T08:00:00Z")
    String from;
    @Option(names = "--to", paramLabel = "TIME", description = "capture time to end at (default: now)")
    String to;
    @Option(names = "--clip-frames", paramLabel = "N", description = "frames per clip (default: ${DEFAULT-VALUE})")
    int clipFrames = 300;
    @Option(names = "--max-frames", paramLabel = "N", description = "most frames kept, sampled as whole clips over the "
            + "range (default: ${DEFAULT-VALUE})")
    long maxFrames = 6000;
    @Option(names = "--holdout-fraction", paramLabel = "X", description = "share of the clips, the latest, held out "
            + "to choose the epoch and calibrate (default: ${DEFAULT-VALUE})")
    double holdoutFraction = 0.2;
    @Option(names = "--event-margin", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "footage this close to an anomaly event is left out too (default: 5s)")
    Duration eventMargin = Duration.ofSeconds(5);
    @Option(names = "--keep-event-frames", description = "the range is known to be normal: learn from the frames of "
            + "its anomaly events too (a new camera whose default model raises events on its normal scene)")
    boolean keepEventFrames;

    public boolean present() {
        return bootstrap != null;
    }

    public String camera() {
        return camera;
    }

    /** The footage these options name; {@code minFrames}, the shortest clip kept: the detector's warm-up and one object sequence (2t+1). */
    public TopicFootage footage(int minFrames, long seed) throws IOException {
        if (camera == null) {
            throw new IllegalArgumentException("--from-topic needs --camera");
        }
        if ((since == null) == (from == null)) {
            throw new IllegalArgumentException("--from-topic needs either --since or --from (with an optional --to)");
        }
        long end = to == null ? System.currentTimeMillis() : instant("--to", to);
        long start = since != null ? end - since.toMillis() : instant("--from", from);
        return new TopicFootage(KafkaClientConfig.fromFile(bootstrap, kafkaConfig), new TopicFootage.Range(camera,
                start, end), keepEventFrames ? null : eventMargin, new ClipSampler(camera, clipFrames, minFrames, maxFrames, holdoutFraction, seed));
    }

    private static long instant(String option, String value) {
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " " + value + " is not a time like 2026-12-02T08:00:00Z");
        }
    }

    /** 500ms, 45s, 90m, 3h, 2d (a bare number is seconds). */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
