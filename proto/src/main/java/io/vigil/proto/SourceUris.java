package io.vigil.proto;

import java.util.regex.Pattern;

/**
 * Camera URIs carry credentials ({@code rtsp://user:password@host/...}); none may reach a log, a message, a health
 * check or a page. This removes them from any text, wherever in it a URI appears (FFmpeg quotes the whole URI in its
 * errors).
 */
public final class SourceUris {

    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s\"'<>]+@");

    private SourceUris() {
    }

    /** {@code text} with every URI's user info replaced by {@code ***}. */
    public static String withoutCredentials(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("***@");
    }
}
