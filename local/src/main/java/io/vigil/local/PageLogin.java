package io.vigil.local;

import io.vigil.auth.LoginFiles;
import java.nio.file.Path;
import java.util.Map;

/** The alert-sink's built-in login on one machine: {@link LoginFiles} in {@code <data-dir>/auth}, and its settings. */
final class PageLogin {

    static final String USER = LoginFiles.USER;

    private PageLogin() {
    }

    static LoginFiles in(Path dataDir) {
        return LoginFiles.in(dataDir.resolve("auth"));
    }

    /** The alert-sink's settings for it. */
    static Map<String, String> alertSinkProperties(LoginFiles login) {
        return Map.of("vigil.alerts.auth.users-file", login.users().toAbsolutePath().toString(),
                "vigil.alerts.auth.signing-key", login.keys().signingKey().toAbsolutePath().toString(),
                "mp.jwt.verify.publickey.location", login.keys().verifyKey().toAbsolutePath().toString(),
                "mp.jwt.verify.issuer", "vigil-local");
    }
}
