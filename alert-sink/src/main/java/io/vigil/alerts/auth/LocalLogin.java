package io.vigil.alerts.auth;

import io.quarkus.runtime.Startup;
import io.vigil.alerts.AlertConfig;
import io.vigil.auth.LocalUsers;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Checks the authentication settings at start (a service that cannot verify tokens does not start open), and holds
 * the built-in login when a users file is configured: its users, their lockouts and the token signer.
 */
@Startup
@Singleton
public class LocalLogin {

    /** The issuer of the built-in login's tokens when {@code mp.jwt.verify.issuer} does not name one. */
    static final String DEFAULT_ISSUER = "vigil-alert-sink";

    private static final Logger LOG = Logger.getLogger(LocalLogin.class);

    /** The built-in login: who may log in (with lockouts), and the signer of their tokens. */
    public record BuiltIn(LoginGuard guard, TokenIssuer tokens) {
    }

    private final Optional<BuiltIn> builtIn;

    public LocalLogin(AlertConfig config, @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> issuer,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> keyLocation,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> key,
            @ConfigProperty(name = "mp.jwt.verify.audiences") Optional<List<String>> audiences) {
        AlertConfig.Auth auth = config.auth();
        if (!auth.enabled()) {
            LOG.warn("authentication is off (vigil.alerts.auth.enabled=false): anyone who reaches the port reads events "
                    + "and thumbnails and reviews events");
            builtIn = Optional.empty();
            return;
        }
        if (keyLocation.isEmpty() && key.isEmpty()) {
            throw new IllegalStateException("vigil.alerts.auth: tokens cannot be verified; set mp.jwt.verify.publickey.location "
                    + "(a PEM public key, or the identity provider's JWKS URL) and mp.jwt.verify.issuer, or turn "
                    + "authentication off with vigil.alerts.auth.enabled=false on a network nobody else is on");
        }
        if (auth.usersFile().isEmpty()) {
            LOG.infof("authentication: bearer tokens of issuer %s; no built-in login", issuer.orElse("(any)"));
            builtIn = Optional.empty();
            return;
        }
        Path usersFile = auth.usersFile().get();
        Path signingKey = auth.signingKey().orElseThrow(() -> new IllegalStateException(
                "vigil.alerts.auth.users-file needs vigil.alerts.auth.signing-key, the private key of "
                        + "mp.jwt.verify.publickey.location, to sign the tokens of its logins"));
        try {
            LocalUsers users = LocalUsers.read(usersFile);
            builtIn = Optional.of(new BuiltIn(new LoginGuard(users, auth.maxFailedLogins(), auth.lockout(),
                    auth.maxLoginsPerSecond(), auth.maxLoginsPerSecondPerClient(), System::nanoTime), new TokenIssuer(TokenIssuer.readKey(signingKey),
                    issuer.orElse(DEFAULT_ISSUER), audiences.flatMap(a -> a.stream().findFirst()), auth.tokenLifetime())));
            LOG.infof("authentication: built-in login for %d users of %s, tokens for %s", users.size(), usersFile,
                    auth.tokenLifetime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the users file or the signing key: " + e.getMessage(), e);
        }
    }

    public Optional<BuiltIn> builtIn() {
        return builtIn;
    }
}
