package io.vigil.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Dockerfiles the images are built from. The JVM images are built and run by ComposePipelineIT; the CUDA images
 * cannot be built here (no CUDA base image can be pulled), so their Dockerfiles are held to the JVM ones: the same
 * base argument, files, user, port and environment, and a launch that honours what the manifests set.
 */
class DockerfilesTest {

    private static final Path HOME = Path.of("..");
    private static final List<String> LAYOUT = List.of("COPY", "WORKDIR", "EXPOSE", "USER", "ENV");
    /** What the base image's run-java.sh passes the JVM, which the CUDA image's launch repeats. */
    private static final List<String> LAUNCH = List.of("JAVA_MAX_RAM_RATIO:-50", "-XX:+ExitOnOutOfMemoryError", "JAVA_OPTS",
            "JAVA_OPTS_APPEND", "JAVA_APP_JAR", "exec java");

    @ParameterizedTest
    @ValueSource(strings = {"frame-ingest", "object-detector", "sequence-assembler", "anomaly-scorer", "alert-sink"})
    void theJvmImageTakesItsBaseAsAnArgument(String service) throws IOException {
        List<String> jvm = instructions(service + "/src/main/docker/Dockerfile.jvm");
        assertTrue(jvm.get(0).startsWith("ARG BASE_IMAGE=registry.access.redhat.com/ubi9/openjdk-17"), service + ": " + jvm.get(0));
        assertEquals("FROM ${BASE_IMAGE}", jvm.get(1), service);
        assertTrue(jvm.contains("USER 185") && jvm.contains("EXPOSE 8080"), service);
        assertEquals("ENTRYPOINT [ \"/opt/jboss/container/java/run/run-java.sh\" ]", jvm.get(jvm.size() - 1), service);
    }

    @ParameterizedTest
    @ValueSource(strings = {"object-detector", "anomaly-scorer"})
    void theCudaImageIsLaidOutAndLaunchedAsTheJvmImage(String service) throws IOException {
        List<String> jvm = instructions(service + "/src/main/docker/Dockerfile.jvm");
        List<String> gpu = instructions(service + "/src/main/docker/Dockerfile.gpu");
        assertTrue(gpu.get(0).startsWith("ARG BASE_IMAGE=nvidia/cuda:12"), service + ": " + gpu.get(0));
        assertEquals("FROM ${BASE_IMAGE}", gpu.get(1), service);
        assertEquals(layout(jvm), layout(gpu), service + ": files, working directory, port, user and environment");
        assertTrue(gpu.stream().anyMatch(i -> i.startsWith("RUN ") && i.contains("--uid 185 --gid 0")),
                service + ": user 185 in group 0, as the JVM base has it");
        String launch = gpu.get(gpu.size() - 1);
        String runJava = Files.readString(HOME.resolve("containers/base/run-java.sh"));
        for (String part : LAUNCH) {
            assertTrue(launch.contains(part), service + ": the launch lacks " + part + ": " + launch);
            assertTrue(runJava.contains(part), "run-java.sh lacks " + part);
        }
    }

    private static List<String> layout(List<String> instructions) {
        return instructions.stream().filter(i -> LAYOUT.contains(i.split(" ", 2)[0])).toList();
    }

    /** A Dockerfile's instructions, continuation lines joined, comments and blank lines left out. */
    private static List<String> instructions(String file) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(HOME.resolve(file))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            out.add(current.append(trimmed).toString().replaceAll("\\s+", " "));
            current.setLength(0);
        }
        return out;
    }
}
