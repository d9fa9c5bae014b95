package io.vigil.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.trainer.export.ExportTest;
import io.vigil.trainer.export.OnnxExporter;
import io.vigil.trainer.export.SsmtlGraphOptimizer;
import io.vigil.trainer.network.Architecture;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.trainer.training.SsmtlTrainer;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.OnnxMetadata;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The trainer's command line: help for each command, errors that name the option, and a subcommand run for real. */
class TrainMainTest {

    @TempDir
    Path temp;

    /** Runs the trainer's command line in this JVM; returns what it printed. */
    static String run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new TrainMain()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        assertEquals(expectedExit, exit, out + "\n" + err);
        return out + err.toString();
    }

    @Test
    void everyCommandHasHelp() {
        String train = run(0, "--help");
        for (String option : List.of("--data", "--out", "--holdout", "--teacher", "--architecture", "--epochs", "--detector",
                "--detector-model", "--threads", "--resume", "--from-topic", "--camera", "--since", "--register", "calibrate",
                "optimize", "registry")) {
            assertTrue(train.contains(option), option + " in\n" + train);
        }
        assertTrue(run(0, "calibrate", "--help").contains("--videos"));
        assertTrue(run(0, "calibrate", "--help").contains("--combination"));
        assertTrue(run(0, "optimize", "--help").contains("--model"));
    }

    @Test
    void errorsNameWhatIsWrong() {
        assertTrue(run(2, "--data", "d").contains("--out and either --data or --from-topic"));
        assertTrue(run(2, "--data", "d", "--from-topic", "localhost:9092", "--out", "o").contains("either --data or"));
        assertTrue(run(2, "--data", "d", "--out", "o", "--register", "r").contains("--register needs --scope"));
        assertTrue(run(2, "--from-topic", "h:1", "--camera", "c", "--since", "soon", "--out", "o").contains("45s, 90m"));
        assertTrue(run(2, "--data", "d", "--out", "o", "--epochs", "many").contains("--epochs"));
        assertTrue(run(2, "calibrate", "--data", "d").contains("--model"));
        assertTrue(run(2, "--epoch", "3").contains("--epoch"));
    }

    @Test
    void optimizeRewritesAnOlderExport() throws Exception {
        Path plain;
        try (SsmtlTrainer trainer = new SsmtlTrainer(new SsmtlNetwork(Architecture.SHALLOW_NARROW, 7, 80), 1e-3f, 0.5f, 1)) {
            trainer.step(ExportTest.randomBatch(2, 7, new Random(3)));
            plain = OnnxGraphBuilder.write(OnnxExporter.graph(trainer.network(), Map.of()), temp.resolve("old.onnx"));
        }
        Path out = temp.resolve("new.onnx");
        String printed = run(0, "optimize", "--model", plain.toString(), "--out", out.toString());
        assertTrue(printed.isEmpty() || !printed.contains("Exception"), printed);
        assertTrue(Files.isRegularFile(out));
        assertEquals("masked-first-stage,temporal-split/1", OnnxMetadata.read(out).get(SsmtlGraphOptimizer.METADATA_KEY));
    }
}
