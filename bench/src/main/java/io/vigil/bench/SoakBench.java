package io.vigil.bench;

import static io.vigil.bench.BenchSupport.writeReport;

import io.vigil.local.VigilLocal;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.proto.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The soak: {@code vigil-local} with paced synthetic cameras for a long run, sampled every 15 s: resident memory
 * of the broker and each service, the size of each Kafka Streams state directory and of the broker's log, the
 * consumer lag of each service's group and the dead letters. After the warm-up each should be flat: a leak, a
 * store without retention or a stage that cannot keep up shows as a slope. Not a test: run
 * {@code bench/run-soak-bench.sh}.
 *
 * <pre>java -jar bench/target/vigil-bench.jar soak [duration] [cameras] [synthetic-uri] [--render soak.csv]</pre>
 */
public final class SoakBench {

    private static final Duration EVERY = Duration.ofSeconds(15);
    static final String DEFAULT_SOURCE = "synthetic:?walkers=4&fps=2&anomalies=fast,unusual";

    /** One reading: seconds since the start and a value per series ("rss broker", "lag vigil-anomaly-scorer", ...). */
    private record Sample(double seconds, Map<String, Double> values) {
    }

    /** A soak of {@code duration}; with {@code pastSamples}, only the report of that earlier run's samples. */
    static void run(Duration duration, int cameras, String source, Path pastSamples) throws Exception {
        // The in-process Kafka clients log through slf4j-simple: keep their INFO chatter out of the samples.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (pastSamples != null) {
            report(readCsv(pastSamples), duration, cameras, source);
            return;
        }
        Path data = Files.createTempDirectory("vigil-soak-");
        int port = LocalKafkaBroker.freePort();
        String bootstrap = "127.0.0.1:" + port;

        Thread job = new Thread(() -> {
            try {
                VigilLocal.run("--source", source, "--camera", "soak", "--cameras", Integer.toString(cameras), "--duration",
                        duration.toSeconds() + "s", "--kafka-port", Integer.toString(port), "--data-dir", data.toString(),
                        "--fresh", "--home", ".");
            } catch (Exception e) {
                throw new IllegalStateException("vigil-local failed; logs in " + data.resolve("logs"), e);
            }
        }, "vigil-local");
        job.start();

        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (job.isAlive()) {
                job.join(EVERY.toMillis());
                if (!job.isAlive()) {
                    break;
                }
                Map<String, Double> values = new TreeMap<>();
                residentMemory().forEach((name, mb) -> values.put("rss " + name, mb));
                values.put("state sequence-assembler", megabytes(data.resolve("state/sequence-assembler"), ""));
                values.put("state alert-sink", megabytes(data.resolve("state/alert-sink"), ""));
                // Segments only: the broker preallocates 10 MB index files per partition, which are mostly holes.
                values.put("broker log", megabytes(data.resolve("kafka"), ".log"));
                try {
                    lags(admin).forEach((group, lag) -> values.put("lag " + group, lag));
                    values.put("dead letters", (double) endOffsets(admin, Set.of(new TopicPartition(Topics.DEAD_LETTER, 0)))
                            .values().stream().mapToLong(Long::longValue).sum());
                } catch (ExecutionException | RuntimeException e) {
                    System.err.println("soak: broker not answering yet: " + e.getMessage());
                }
                Sample s = new Sample((System.nanoTime() - start) / 1e9, values);
                samples.add(s);
                System.err.printf("soak: %.0f s %s%n", s.seconds(), values);
            }
        }
        job.join();
        report(samples, duration, cameras, source);
    }

    /** Resident memory (MB) of each child process of this JVM that is the broker or a service. */
    private static Map<String, Double> residentMemory() {
        Map<String, Double> out = new TreeMap<>();
        ProcessHandle.current().descendants().forEach(p -> {
            String name = JfrProfile.processName(p.info().commandLine().orElse(""));
            if (name != null) {
                rssKb(p.pid()).ifPresent(kb -> out.put(name, kb / 1024.0));
            }
        });
        return out;
    }

    private static Optional<Long> rssKb(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // the process has just ended
        }
    }

    private static double megabytes(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> Files.isRegularFile(f) && f.toString().endsWith(suffix)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // deleted while walking (segment roll, compaction)
                }
            }).sum() / 1e6;
        } catch (IOException | UncheckedIOException e) {
            return Double.NaN;
        }
    }

    /** Per consumer group of the services: records not yet processed (committed end offsets minus committed offsets). */
    private static Map<String, Double> lags(Admin admin) throws ExecutionException, InterruptedException {
        Map<String, Double> out = new TreeMap<>();
        for (ConsumerGroupListing g : admin.listConsumerGroups().all().get()) {
            if (!g.groupId().startsWith("vigil-")) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.groupId())
                    .partitionsToOffsetAndMetadata().get();
            if (committed.isEmpty()) {
                continue;
            }
            Map<TopicPartition, Long> ends = endOffsets(admin, committed.keySet());
            long lag = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.entrySet()) {
                if (c.getValue() != null && ends.containsKey(c.getKey())) {
                    lag += Math.max(0, ends.get(c.getKey()) - c.getValue().offset());
                }
            }
            out.put(g.groupId(), (double) lag);
        }
        return out;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, Set<TopicPartition> partitions)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static void report(List<Sample> samples, Duration duration, int cameras, String source) throws Exception {
        List<String> series = samples.stream().flatMap(s -> s.values().keySet().stream()).distinct().sorted().toList();
        StringBuilder csv = new StringBuilder("seconds," + String.join(",", series) + "\n");
        for (Sample s : samples) {
            csv.append(String.format("%.0f", s.seconds()));
            for (String name : series) {
                Double v = s.values().get(name);
                csv.append(',').append(v == null ? "" : String.format("%.2f", v));
            }
            csv.append('\n');
        }
        Path results = Files.createDirectories(Path.of("bench/results"));
        Files.writeString(results.resolve("soak.csv"), csv.toString());
        plot(samples, series, results.resolve("soak.png"));

        // Flat after the warm-up (the first fifth): the mean of the first half of the rest against the second half's.
        // Means, not single readings: RocksDB's flushes and compactions make the state directories a sawtooth.
        List<Sample> steady = samples.subList(samples.size() / 5, samples.size());
        List<Sample> first = steady.subList(0, steady.size() / 2);
        List<Sample> second = steady.subList(steady.size() / 2, steady.size());
        StringBuilder table = new StringBuilder(String.format("| series | mean %.0f–%.0f s | mean %.0f–%.0f s | maximum after "
                + "%.0f s | change of the mean |%n|---|---|---|---|---|%n", first.get(0).seconds(), first.get(first.size() - 1).seconds(),
                second.get(0).seconds(), second.get(second.size() - 1).seconds(), steady.get(0).seconds()));
        for (String name : series) {
            double a = mean(first, name);
            double b = mean(second, name);
            double max = steady.stream().mapToDouble(s -> s.values().getOrDefault(name, Double.NaN)).filter(v -> !Double.isNaN(v))
                    .max().orElse(Double.NaN);
            table.append(String.format("| %s | %.1f | %.1f | %.1f | %s |%n", name, a, b, max,
                    a == 0 ? String.format("%+.1f", b - a) : String.format("%+.0f%%", 100 * (b - a) / a)));
        }
        writeReport("soak.md", "Soak benchmark, " + LocalDateTime.now().withNano(0) + "\n\n`vigil-local` with " + cameras
                + " synthetic cameras (`" + source + "`, paced at the scene's frame rate), the default detector and model, "
                + duration.toMinutes() + " minutes, sampled every " + EVERY.toSeconds() + " s: resident memory (MB) of each "
                + "process, state directories and broker log (MB), consumer lag of each group (records) and dead letters. "
                + "Command: bench/run-soak-bench.sh\n\n![soak](soak.png)\n\n" + table);
    }

    private static double mean(List<Sample> samples, String name) {
        return samples.stream().mapToDouble(s -> s.values().getOrDefault(name, Double.NaN)).filter(v -> !Double.isNaN(v))
                .average().orElse(Double.NaN);
    }

    /** The samples of a soak.csv this harness wrote, to render its report again. */
    private static List<Sample> readCsv(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] names = lines.get(0).split(",");
        List<Sample> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, Double> values = new TreeMap<>();
            for (int i = 1; i < names.length; i++) {
                if (!cells[i].isEmpty()) {
                    values.put(names[i], Double.parseDouble(cells[i]));
                }
            }
            out.add(new Sample(Double.parseDouble(cells[0]), values));
        }
        return out;
    }

    private static void plot(List<Sample> samples, List<String> series, Path png) throws IOException {
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(new org.jfree.chart.axis.NumberAxis("seconds"));
        for (String prefix : List.of("rss ", "state ", "broker log", "lag ", "dead letters")) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (String name : series) {
                if (name.startsWith(prefix)) {
                    XYSeries xy = new XYSeries(name);
                    samples.forEach(s -> {
                        Double v = s.values().get(name);
                        if (v != null) {
                            xy.add(s.seconds(), v);
                        }
                    });
                    data.addSeries(xy);
                }
            }
            JFreeChart part = ChartFactory.createXYLineChart(null, null, prefix.trim(), data);
            combined.add((XYPlot) part.getPlot());
        }
        ChartUtils.saveChartAsPNG(png.toFile(), new JFreeChart("Soak", combined), 1000, 1100);
    }

    private SoakBench() {
    }
}
