package io.vigil.trainer.network;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/** The PyTorch engine's thread count, and a one-line description of the numeric environment for diagnostics. */
public final class TorchRuntime {

    private TorchRuntime() {
    }

    /**
     * Sets PyTorch's intra-op threads ({@code threads <= 0}: PyTorch's default, one per core) and returns the count in
     * effect. OpenMP keeps the count per calling thread, so call this on the thread that trains.
     */
    public static int useThreads(int threads) {
        Engine.getEngine("PyTorch");
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        return JniUtils.getNumThreads();
    }

    /**
     * The environment setting that backs PyTorch's tensors with transparent huge pages. Without it, glibc maps every
     * tensor above 32 MB afresh and the kernel zeroes it 4 kB page by page: on a 2-core VM, training spent half its
     * CPU in page faults (96,000 per second) and ran at 6.3 objects/s; with it, 26.1 objects/s side by side
     * (bench/run-trainer-bench.sh) and the same losses to the last bit. glibc reads it at process start, so it is
     * set where the trainer is launched.
     */
    public static final String HUGE_PAGES = "GLIBC_TUNABLES=glibc.malloc.hugetlb=1";

    /** E.g. "PyTorch 2.7.1, 2 intra-op threads, AMD EPYC (family 26 model 2), avx2 avx512_bf16 avx512f ...". */
    public static String describe() {
        return "PyTorch " + Engine.getEngine("PyTorch").getVersion() + ", " + JniUtils.getNumThreads() + " intra-op threads, "
                + processor();
    }

    /**
     * A warning when this Linux process runs without {@link #HUGE_PAGES} on a kernel that gives huge pages only to
     * memory that asks for them; empty otherwise.
     */
    public static java.util.Optional<String> hugePagesAdvice() {
        String tunables = System.getenv().getOrDefault("GLIBC_TUNABLES", "");
        String mode;
        try {
            mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).trim();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty(); // not Linux, or no transparent huge pages at all
        }
        if (tunables.contains("glibc.malloc.hugetlb=1") || tunables.contains("glibc.malloc.hugetlb=2")
                || !mode.contains("[madvise]")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("training without huge pages (transparent_hugepage: " + mode + "); start the trainer "
                + "with " + HUGE_PAGES + " in its environment: on a 2-core VM it trained 4.1x faster with the same results");
    }

    /** The processor's name and vector extensions, from /proc/cpuinfo where there is one. */
    static String processor() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
        }
        String name = field(lines, "model name");
        String family = field(lines, "cpu family");
        String model = field(lines, "model");
        TreeSet<String> vector = new TreeSet<>();
        for (String flag : field(lines, "flags").split("\\s+")) {
            if (flag.matches("avx.*|fma|amx.*|f16c")) {
                vector.add(flag);
            }
        }
        return name + " (family " + family + " model " + model + "), " + String.join(" ", vector);
    }

    private static String field(List<String> cpuinfo, String key) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "?";
    }
}
