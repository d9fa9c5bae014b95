package io.vigil.local;

import io.vigil.proto.auth.LocalUsers;
import io.vigil.proto.auth.OwnerOnly;
import io.vigil.proto.auth.TokenKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The alert-sink's built-in login on one machine: in {@code <data-dir>/auth}, a users file with one operator whose
 * random password is in an owner-only file, and the key pair that signs and verifies the login's tokens. Created on
 * the first run and kept, so a login and its cookie survive restarts.
 */
record PageLogin(Path users, TokenKeys keys, Path passwordFile) {

    static final String USER = "operator";

    static PageLogin in(Path dataDir) {
        Path dir = dataDir.resolve("auth");
        return new PageLogin(dir.resolve("users"), new TokenKeys(dir.resolve("token-signing.pem"), dir.resolve("token-verify.pem")),
                dir.resolve(USER + ".password"));
    }

    /** Creates what is missing; true when the user was created now (say how to log in, once). */
    boolean createIfMissing() throws IOException {
        TokenKeys.createOrLoad(users.getParent());
        if (Files.isRegularFile(users) && Files.isRegularFile(passwordFile)) {
            return false;
        }
        String password = LocalUsers.newPassword();
        OwnerOnly.write(passwordFile, password + "\n");
        LocalUsers.write(users, List.of(new LocalUsers.User(USER, LocalUsers.OPERATOR, LocalUsers.hash(password.toCharArray()))));
        return true;
    }

    /** The alert-sink's settings for it. */
    Map<String, String> alertSinkProperties() {
        return Map.of("vigil.alerts.auth.users-file", users.toAbsolutePath().toString(),
                "vigil.alerts.auth.signing-key", keys.signingKey().toAbsolutePath().toString(),
                "mp.jwt.verify.publickey.location", keys.verifyKey().toAbsolutePath().toString(),
                "mp.jwt.verify.issuer", "vigil-local");
    }
}
