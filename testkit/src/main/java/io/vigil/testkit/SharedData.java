package io.vigil.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data and models in {@code ../shared}, read in place (never copied into the repository).
 *
 * <p>Where a file is missing, tests fail loudly under CI ({@code CI=true}) and are skipped elsewhere.
 */
public final class SharedData {

    private SharedData() {
    }

    /** {@code -Dvigil.shared.dir}, else {@code VIGIL_SHARED_DIR}, else {@code ../shared} of the repository. */
    public static Path root() {
        String configured = System.getProperty("vigil.shared.dir", System.getenv("VIGIL_SHARED_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("datasets"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return Path.of("..", "shared").toAbsolutePath().normalize();
    }

    /** The file or folder at {@code relative} below the shared root; fails under CI and skips elsewhere if missing. */
    public static Path require(String relative) {
        Path path = root().resolve(relative);
        if (Files.exists(path)) {
            return path;
        }
        Prerequisites.missing("shared test data missing: " + path
                + " (tests read ../shared beside the clone; set -Dvigil.shared.dir or VIGIL_SHARED_DIR)");
        return path;
    }

    public static Path ped2TestVideo(String video) {
        return require("datasets/ucsd-ped2/testing/" + video);
    }

    public static Path ped2TrainingVideo(String video) {
        return require("datasets/ucsd-ped2/training/" + video);
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
