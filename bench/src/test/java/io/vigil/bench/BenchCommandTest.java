package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The harnesses' command line: every benchmark listed with its arguments, errors that say which is wrong. */
class BenchCommandTest {

    private static String run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Bench()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        assertEquals(expectedExit, exit, out + "\n" + err);
        return out + err.toString();
    }

    @Test
    void helpListsEveryBenchmarkAndItsArguments() {
        String help = run(0, "--help");
        for (String bench : List.of("detector", "scorer", "pipeline", "profile", "soak", "gpu-check")) {
            assertTrue(help.contains(bench), bench);
        }
        assertTrue(run(0, "pipeline", "--help").contains("default: 1,2,4,1@10"));
        assertTrue(run(0, "soak", "--help").contains("--render"));
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertTrue(run(2).contains("name a benchmark"));
        assertTrue(run(2, "scorer", "many").contains("SEQUENCES"));
        assertTrue(run(2, "profile", "dir").contains("FROM-EPOCH-MS"));
        assertTrue(run(2, "soak", "soon").contains("DURATION"));
    }

    @Test
    void aPipelineRunSaysItsCamerasPaceLengthAndWhereItScores() {
        assertEquals(new PipelineBench.RunSpec(4, "0", 180, false), PipelineBench.RunSpec.parse("4"));
        assertEquals(new PipelineBench.RunSpec(1, "10", 720, true), PipelineBench.RunSpec.parse(" 1@10~720:in-assembler"));
        assertEquals(new PipelineBench.RunSpec(1, "7.5", 180, false), PipelineBench.RunSpec.parse("1@7.5"));
        assertEquals("1 paced at 10 frames/s for 720 s, scored in the assembler",
                PipelineBench.RunSpec.parse("1@10~720s:in-assembler").label());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PipelineBench.RunSpec.parse("4~60"));
        assertTrue(e.getMessage().contains("N[@F[~S]][:in-assembler]"), e.getMessage());
    }
}
