package io.vigil.alerts.auth;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.vigil.auth.LocalUsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Signs the built-in login's tokens: the user's name, role, this issuer, the audience the service verifies (if it
 * verifies one: a token meant for this alert-sink is useless to any other service), and an expiry.
 */
public final class TokenIssuer {

    private final PrivateKey key;
    private final String issuer;
    private final Optional<String> audience;
    private final Duration lifetime;

    public TokenIssuer(PrivateKey key, String issuer, Optional<String> audience, Duration lifetime) {
        this.key = key;
        this.issuer = issuer;
        this.audience = audience;
        this.lifetime = lifetime;
    }

    public static PrivateKey readKey(Path pem) throws IOException {
        try {
            return KeyUtils.decodePrivateKey(Files.readString(pem));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(pem + " is not a PEM (PKCS#8) RSA private key: " + e.getMessage());
        }
    }

    public String issue(LocalUsers.User user) {
        var claims = Jwt.issuer(issuer).upn(user.name()).subject(user.name()).groups(Set.of(user.role())).expiresIn(lifetime);
        audience.ifPresent(claims::audience);
        return claims.sign(key);
    }

    public Duration lifetime() {
        return lifetime;
    }
}
