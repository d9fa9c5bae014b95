package io.vigil.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium for page tests and screenshots (Debian package chromium). Missing: fails under CI, skips elsewhere. */
public final class Chromium {

    public static Path require() {
        for (String candidate : new String[] {System.getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (candidate != null && Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        Prerequisites.missing("headless Chromium not found (apt-get install chromium, or set CHROMIUM)");
        return null;
    }

    /** Runs Chromium headless with the flags this closed network needs; returns what it printed on stdout. */
    public static String run(Path chromium, Path profile, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        command.addAll(args);
        Path out = profile.resolve("stdout.txt");
        Process p = new ProcessBuilder(command).redirectError(profile.resolve("chromium.log").toFile())
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish in 90 s: " + command);
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private Chromium() {
    }
}
