package io.vigil.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets: created readable and writable by their owner only, before anything is written. */
public final class OwnerOnly {

    private OwnerOnly() {
    }

    /** Replaces {@code file} with an empty one that only its owner can read and write. */
    public static Path create(Path file) throws IOException {
        Files.deleteIfExists(file);
        try {
            return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createFile(file);
        }
    }

    /** Writes {@code text} to a new owner-only {@code file}. */
    public static Path write(Path file, String text) throws IOException {
        return Files.writeString(create(file), text, StandardCharsets.UTF_8);
    }
}
