package io.vigil.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU goes, per process, from the flight recordings of one run (one {@code .jfr} file per JVM), counted
 * only inside a time window (the steady part of the run, start-up excluded):
 * <ul>
 * <li>CPU seconds of each process, from {@code jdk.CPULoad} (the JVM's share of the machine, every second);</li>
 * <li>its busiest Java threads, from {@code jdk.ThreadCPULoad}, native code they call included (a Java thread
 * running {@code OrtSession.run} counts ONNX Runtime's work on it; ONNX Runtime's own pool threads are not Java
 * threads, so they count only in the process's total);</li>
 * <li>its hottest Java methods, from {@code jdk.ExecutionSample} (the top frame in project, Kafka or JDK code).</li>
 * </ul>
 */
public final class JfrProfile {

    /** What one process did in the window. */
    public record Process(String name, double cpuSeconds, double compilerSeconds, Map<String, Double> threadCpuSeconds,
            Map<String, Integer> hotMethods, int samples) {
    }

    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("kafka.Kafka", "broker");
        NAMES.put("frame-ingest", "frame-ingest");
        NAMES.put("object-detector", "object-detector");
        NAMES.put("sequence-assembler", "sequence-assembler");
        NAMES.put("anomaly-scorer", "anomaly-scorer");
        NAMES.put("alert-sink", "alert-sink");
    }

    private JfrProfile() {
    }

    /** The processes of {@code dir} that are broker or services, busiest first. */
    public static List<Process> read(Path dir, Instant from, Instant to) throws IOException {
        List<Process> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jfr")).sorted().toList()) {
                Process p = readOne(f, from, to);
                if (p != null) {
                    out.add(p);
                }
            }
        }
        out.sort((a, b) -> Double.compare(b.cpuSeconds, a.cpuSeconds));
        return out;
    }

    private static Process readOne(Path file, Instant from, Instant to) throws IOException {
        String name = null;
        double cpu = 0;
        Instant lastLoad = null;
        Map<String, Double> threads = new HashMap<>();
        Map<Long, Instant> lastThreadLoad = new HashMap<>();
        Map<String, Integer> methods = new HashMap<>();
        int samples = 0;
        int cores = Runtime.getRuntime().availableProcessors();
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                if (type.equals("jdk.JVMInformation")) {
                    name = processName(e.getString("javaArguments"));
                    continue;
                }
                if (type.equals("jdk.CPUInformation")) {
                    cores = e.getInt("hwThreads");
                    continue;
                }
                Instant t = e.getStartTime();
                switch (type) {
                    case "jdk.CPULoad" -> {
                        // The share since the previous reading; counted when that interval lies in the window.
                        if (lastLoad != null && !lastLoad.isBefore(from) && !t.isAfter(to)) {
                            double seconds = (t.toEpochMilli() - lastLoad.toEpochMilli()) / 1000.0;
                            cpu += (e.getFloat("jvmUser") + e.getFloat("jvmSystem")) * cores * seconds;
                        }
                        lastLoad = t;
                    }
                    case "jdk.ThreadCPULoad" -> {
                        RecordedThread thread = e.getThread("eventThread");
                        if (thread == null) {
                            continue;
                        }
                        Instant previous = lastThreadLoad.put(thread.getId(), t);
                        if (previous != null && !previous.isBefore(from) && !t.isAfter(to)) {
                            double seconds = (t.toEpochMilli() - previous.toEpochMilli()) / 1000.0;
                            threads.merge(threadGroup(thread), (e.getFloat("user") + e.getFloat("system")) * cores * seconds,
                                    Double::sum);
                        }
                    }
                    case "jdk.ExecutionSample" -> {
                        if (t.isBefore(from) || t.isAfter(to)) {
                            continue;
                        }
                        samples++;
                        methods.merge(hotMethod(e.getStackTrace()), 1, Integer::sum);
                    }
                    default -> {
                    }
                }
            }
        }
        // JIT compilation is a one-off of a new process: what is left is the cost of a warmed-up service.
        double compiler = threads.entrySet().stream().filter(t -> t.getKey().contains("CompilerThread"))
                .mapToDouble(Map.Entry::getValue).sum();
        return name == null ? null : new Process(name, cpu, compiler, top(threads, 4), top(methods, 6), samples);
    }

    /** "broker" or the service's name for a broker or service command line (as vigil-local starts them), else null. */
    static String processName(String javaArguments) {
        for (Map.Entry<String, String> n : NAMES.entrySet()) {
            if (javaArguments != null && javaArguments.contains(n.getKey())) {
                return n.getValue();
            }
        }
        return null;
    }

    /** Pool threads count together: "kafka-producer-network-thread | x" and "executor-thread-3" by their stem. */
    private static String threadGroup(RecordedThread thread) {
        String n = thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
        if (n == null) {
            return "?";
        }
        int bar = n.indexOf(" | ");
        String stem = bar > 0 ? n.substring(0, bar) : n;
        return stem.replaceAll("-?\\d+$", "").replaceAll("-[0-9a-f]{8}-[0-9a-f-]{27}", "");
    }

    /** The top frame, or the first frame below it that is not JDK code, so that a hash map lookup names its caller. */
    private static String hotMethod(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "?";
        }
        List<RecordedFrame> frames = stack.getFrames();
        String top = name(frames.get(0));
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                String own = name(f);
                return own.equals(top) ? top : own + " > " + top;
            }
        }
        return top;
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private static <V extends Comparable<V>> Map<String, V> top(Map<String, V> all, int n) {
        return all.entrySet().stream().sorted(Map.Entry.<String, V>comparingByValue().reversed()).limit(n)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** The markdown table: one row per process, its CPU also per frame of the run ({@code frames} in the window). */
    public static String table(List<Process> processes, double windowSeconds, int frames) {
        double total = processes.stream().mapToDouble(Process::cpuSeconds).sum();
        double compiled = processes.stream().mapToDouble(Process::compilerSeconds).sum();
        StringBuilder sb = new StringBuilder("| process | CPU s | share | CPU ms per frame | without JIT compilation | "
                + "busiest threads (CPU s) | hottest Java code (share of its Java samples) |\n|---|---|---|---|---|---|---|\n");
        for (Process p : processes) {
            String threads = p.threadCpuSeconds().entrySet().stream()
                    .map(e -> String.format("%s %.1f", e.getKey(), e.getValue())).collect(Collectors.joining("; "));
            String methods = p.hotMethods().entrySet().stream()
                    .map(e -> String.format("%s %.0f%%", e.getKey(), 100.0 * e.getValue() / Math.max(1, p.samples())))
                    .collect(Collectors.joining("; "));
            sb.append(String.format("| %s | %.1f | %.0f%% | %.1f | %.1f | %s | %s |%n", p.name(), p.cpuSeconds(),
                    100 * p.cpuSeconds() / total, 1000 * p.cpuSeconds() / frames, 1000 * (p.cpuSeconds() - p.compilerSeconds()) / frames,
                    threads, methods));
        }
        sb.append(String.format("| all | %.1f of %.1f | | %.1f | %.1f | | |%n", total,
                windowSeconds * Runtime.getRuntime().availableProcessors(), 1000 * total / frames, 1000 * (total - compiled) / frames));
        return sb.toString();
    }
}
