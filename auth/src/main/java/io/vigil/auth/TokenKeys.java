package io.vigil.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/**
 * An RSA key pair for the alert-sink's built-in login, as PEM files: the private key (owner-only) signs its tokens,
 * the public key ({@code mp.jwt.verify.publickey.location}) verifies them.
 */
public record TokenKeys(Path signingKey, Path verifyKey) {

    /** Where the pair is kept in {@code dir}. */
    public static TokenKeys in(Path dir) {
        return new TokenKeys(dir.resolve("token-signing.pem"), dir.resolve("token-verify.pem"));
    }

    /** The pair in {@code dir}, created when missing (so tokens stay valid across restarts). */
    public static TokenKeys createOrLoad(Path dir) throws IOException {
        TokenKeys keys = in(dir);
        if (Files.isRegularFile(keys.signingKey()) && Files.isRegularFile(keys.verifyKey())) {
            return keys;
        }
        Files.createDirectories(dir);
        KeyPair pair;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            pair = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is part of every Java 17", e);
        }
        OwnerOnly.write(keys.signingKey(), pem("PRIVATE KEY", pair.getPrivate()));
        Files.writeString(keys.verifyKey(), pem("PUBLIC KEY", pair.getPublic()), StandardCharsets.US_ASCII);
        return keys;
    }

    private static String pem(String type, Key key) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END " + type + "-----\n";
    }
}
