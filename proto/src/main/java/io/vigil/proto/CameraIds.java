package io.vigil.proto;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The one rule for camera ids, applied by every stage, and the one way to put an id where only some characters may
 * go. Ids are Unicode ({@code 入口}, {@code Café-Nord 2}): letters, marks and digits of any script, inner spaces, and
 * {@code - _ . : @ + ~ ( )}; in NFC (so one visible name is one camera); at most {@link #MAX_LENGTH} code points.
 * Never allowed: control and format characters (bidirectional overrides hide what a name says), other white space,
 * and {@code / \ | % " ' < > ? * & # ; = ,} — the separators of paths, store keys, headers and URLs. Where an id
 * becomes an HTTP header or a file name it is percent-encoded ({@link #percentEncoded}, {@link #fileName}).
 */
public final class CameraIds {

    /** Most code points of an id: ids are Kafka keys, metric tags, file names and URL path segments. */
    public static final int MAX_LENGTH = 200;

    private static final String PUNCTUATION = "-_.:@+~()";

    private CameraIds() {
    }

    public static boolean isValid(String id) {
        return problem(id) == null;
    }

    /** Why {@code id} is not a camera id, or null when it is one. */
    public static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "message without camera id";
        }
        int length = id.codePointCount(0, id.length());
        if (length > MAX_LENGTH) {
            return "camera id is longer than " + MAX_LENGTH + " characters (" + length + ")";
        }
        if (id.startsWith(" ") || id.endsWith(" ")) {
            return "camera id starts or ends with a space";
        }
        for (int i = 0; i < id.length(); ) {
            int c = id.codePointAt(i);
            if (!allowed(c)) {
                String kind = Character.isISOControl(c) ? "control characters" : "character";
                return "camera id has " + kind + " U+" + String.format("%04X", c) + " at " + i
                        + " (allowed: letters, marks, digits, inner spaces and " + PUNCTUATION + ")";
            }
            i += Character.charCount(c);
        }
        if (!Normalizer.isNormalized(id, Normalizer.Form.NFC)) {
            return "camera id is not in Unicode normal form C";
        }
        return null;
    }

    private static boolean allowed(int c) {
        if (c == ' ' || PUNCTUATION.indexOf(c) >= 0) {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    /**
     * {@code text} (an id, or something that contains one) as visible ASCII for an HTTP header: UTF-8 bytes outside
     * RFC 3986's unreserved characters and {@code :} are percent-encoded, so {@code 入口:96} becomes
     * {@code %E5%85%A5%E5%8F%A3:96} and an ASCII id stays as it is.
     */
    public static String percentEncoded(String text) {
        return encode(text, "-_.~:");
    }

    /**
     * {@code id} as one file name: percent-encoded like {@link #percentEncoded}, with {@code .} and {@code :} encoded
     * too, so no id names {@code ..} or a hidden file and the name is the same on every file system.
     */
    public static String fileName(String id) {
        return encode(id, "-_~");
    }

    private static String encode(String text, String keep) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || keep.indexOf(c) >= 0;
            if (plain) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
