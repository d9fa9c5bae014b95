package io.vigil.proto;

import java.time.Duration;
import java.util.Locale;

/** Durations as people write them on a command line: 500ms, 45s, 90m, 3h, 2d (a bare number is seconds). */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String value) {
        String t = value.trim().toLowerCase(Locale.ROOT);
        try {
            boolean millis = t.endsWith("ms");
            long n = Long.parseLong(millis ? t.substring(0, t.length() - 2) : t.replaceAll("[smhd]$", ""));
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            if (millis) {
                return Duration.ofMillis(n);
            }
            return switch (t.charAt(t.length() - 1)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration like 500ms, 45s, 90m, 3h or 2d");
        }
    }
}
