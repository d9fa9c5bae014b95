package io.vigil.vision.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** The 80 COCO class names in the order detectors number them (0 = person, 1 = bicycle, …). */
public final class CocoClasses {

    public static final List<String> NAMES = load();

    private CocoClasses() {
    }

    /** A class id from its number ("1") or name ("bicycle", "traffic light"), case-insensitive. */
    public static int id(String nameOrNumber) {
        String s = nameOrNumber.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            int id = Integer.parseInt(s);
            if (id < NAMES.size()) {
                return id;
            }
        }
        int id = NAMES.indexOf(s.toLowerCase(Locale.ROOT).replace('_', ' '));
        if (id < 0) {
            throw new IllegalArgumentException("unknown COCO class '" + nameOrNumber + "'; use 0..79 or a name such as "
                    + "person, bicycle, car, skateboard");
        }
        return id;
    }

    public static String name(int id) {
        return id >= 0 && id < NAMES.size() ? NAMES.get(id) : "object";
    }

    private static List<String> load() {
        try (InputStream in = CocoClasses.class.getResourceAsStream("coco-classes.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> names = r.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
            if (names.size() != 80) {
                throw new IllegalStateException("coco-classes.txt has " + names.size() + " names, expected 80");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
