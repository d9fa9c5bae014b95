package io.vigil.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** What a test needs from the machine: under CI ({@code CI=true}) a missing prerequisite fails, elsewhere it skips. */
public final class Prerequisites {

    private Prerequisites() {
    }

    /** Fails under CI, skips the test elsewhere; {@code message} says what is missing and how to get it. */
    public static void missing(String message) {
        if (SharedData.isCi()) {
            Assertions.fail(message);
        }
        Assumptions.abort(message);
    }

    /** Whether an executable of that name is on the PATH. */
    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
