package io.vigil.local;

import io.vigil.testkit.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python example consumer of {@code vigil.anomaly-events} (examples/python/consume_events.py) as a
 * downstream team would: Debian's python3 with python3-confluent-kafka, and classes that protoc generates from the
 * schemas in proto/ (into {@code work}). Missing tools fail under CI ({@code .ci/run} installs them) and skip elsewhere.
 */
final class PythonEventsConsumer {

    /** Debian's interpreter, which sees Debian's python3-confluent-kafka (a pyenv or venv python may not). */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private PythonEventsConsumer() {
    }

    /** The lines it prints of {@code camera}'s events, reading the topic from its start until 10 s pass without one. */
    static List<String> readAll(Path home, String bootstrap, String camera, Path work)
            throws IOException, InterruptedException {
        if (!Prerequisites.onPath("protoc")) {
            Prerequisites.missing("protoc is not on the PATH (Debian: apt-get install protobuf-compiler)");
        }
        Path protos = home.resolve("proto/src/main/proto");
        List<String> generate = new ArrayList<>(List.of("protoc", "--python_out=" + work, "-I", protos.toString()));
        try (var files = Files.list(protos.resolve("vigil/v1"))) {
            files.filter(f -> f.toString().endsWith(".proto")).sorted().forEach(f -> generate.add(f.toString()));
        }
        run(generate, work, "protoc");
        if (run(List.of(PYTHON, "-c", "import confluent_kafka, google.protobuf"), work, null).exit != 0) {
            Prerequisites.missing(PYTHON + " cannot import confluent_kafka and google.protobuf (Debian: apt-get install "
                    + "python3-confluent-kafka python3-protobuf)");
        }
        Result r = run(List.of(PYTHON, home.resolve("examples/python/consume_events.py").toString(), "--bootstrap",
                bootstrap, "--camera", camera, "--from-beginning", "--idle-seconds", "10"), work, "the example consumer");
        return r.output.lines().toList();
    }

    /** The docs' kcat one-liner (keys, partitions, offsets of the committed events), as docs/operations.md gives it. */
    static List<String> kcatKeys(String bootstrap, Path work) throws IOException, InterruptedException {
        if (!Prerequisites.onPath("kcat")) {
            Prerequisites.missing("kcat is not on the PATH (Debian: apt-get install kcat)");
        }
        return run(List.of("kcat", "-b", bootstrap, "-X", "isolation.level=read_committed", "-C", "-t",
                "vigil.anomaly-events", "-o", "beginning", "-e", "-q", "-f", "%k %p %o\\n"), work, "kcat").output
                .lines().toList();
    }

    private record Result(int exit, String output) {
    }

    /** Runs {@code command} in {@code dir} with PYTHONPATH there; when {@code what} is named, it must succeed. */
    private static Result run(List<String> command, Path dir, String what) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", dir.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end within 120 s");
        }
        Result r = new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        if (what != null && r.exit != 0) {
            throw new AssertionError(what + " failed with status " + r.exit + ": " + r.output);
        }
        return r;
    }
}
