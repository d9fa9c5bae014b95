package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import io.vigil.vision.onnx.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/run-gpu-check.sh as far as a machine without a GPU takes it: the script and the check say there is no CUDA
 * and succeed, and the comparison the check prints on a GPU machine runs here with the CPU on both sides.
 */
class GpuCheckTest {

    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCORER = HOME.resolve("models/ssmtl-ped2-shallow-narrow.onnx");

    @TempDir
    Path bin;

    @Test
    void withoutAGpuTheScriptSaysSoAndSucceeds() throws Exception {
        // A PATH with the usual tools and no nvidia-smi, whatever this machine has.
        for (String tool : List.of("bash", "dirname", "env")) {
            Path real = Path.of("/usr/bin", tool);
            Files.createSymbolicLink(bin.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
        }
        ProcessBuilder pb = new ProcessBuilder("bash", HOME.resolve("bench/run-gpu-check.sh").toString())
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("no NVIDIA GPU here"), out);
    }

    @Test
    void withoutTheCudaProviderTheCheckSaysSoAndSucceeds() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int exit = GpuCheck.run(SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"), SCORER,
                new PrintStream(text, true, StandardCharsets.UTF_8));
        assertEquals(0, exit);
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("no CUDA provider"), text.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theComparisonTimesEachModelAtItsBatchesAndDerivesTheOverlaysSettings() throws Exception {
        Path yolox = SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
        List<GpuCheck.Row> rows = new GpuCheck(Device.CPU, Device.CPU, 2).compare(List.of(
                new GpuCheck.Subject("detector", yolox, List.of(1, 8)), new GpuCheck.Subject("scorer", SCORER, List.of(1, 8))));
        assertEquals(List.of("detector yolox_nano.onnx 1", "scorer ssmtl-ped2-shallow-narrow.onnx 1",
                "scorer ssmtl-ped2-shallow-narrow.onnx 8"), rows.stream().map(r -> r.model() + " " + r.batch()).toList(),
                "YOLOX-Nano takes one frame a run; the scorer any batch");
        for (GpuCheck.Row r : rows) {
            assertTrue(r.baselineMs() > 0 && r.candidateMs() > 0, r.toString());
        }
        String table = GpuCheck.table(rows, "CPU", "CPU");
        assertEquals(5, table.strip().lines().count(), table);
        // Settings from made-up timings: CUDA 4x faster for the scorer, best throughput at batch 32.
        String settings = GpuCheck.settings(List.of(new GpuCheck.Row("detector y", 1, 20, 30),
                new GpuCheck.Row("scorer s", 1, 2, 1), new GpuCheck.Row("scorer s", 32, 64, 8)));
        assertTrue(settings.contains("VIGIL_DETECTOR_DEVICE=cpu"), settings);
        assertTrue(settings.contains("VIGIL_SCORER_DEVICE=cuda"), settings);
        assertTrue(settings.contains("VIGIL_SCORER_MAX_BATCH=32"), settings);
    }
}
