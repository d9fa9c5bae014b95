package io.vigil.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The alert-sink's built-in user store, for a machine without an identity provider: one user per line,
 * {@code name role pbkdf2-sha256$iterations$salt$hash}, with salted PBKDF2 hashes only (a stolen file does not give
 * the passwords away). {@code vigil-local} writes it, owner-only; the alert-sink reads it.
 */
public final class LocalUsers {

    /** Reads events, scores, thumbnails and clips. */
    public static final String VIEWER = "viewer";
    /** A viewer who may also acknowledge and resolve events. */
    public static final String OPERATOR = "operator";
    public static final Set<String> ROLES = Set.of(VIEWER, OPERATOR);

    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600,000; this keeps a login near 0.1 s on a small machine. */
    public static final int DEFAULT_ITERATIONS = 210_000;

    private static final String SCHEME = "pbkdf2-sha256";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One user: a name, a role and the hash of the password. */
    public record User(String name, String role, String passwordHash) {
        public User {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a user name has 1..64 of A-Z a-z 0-9 . _ @ -, not '" + name + "'");
            }
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("a role is " + VIEWER + " or " + OPERATOR + ", not '" + role + "'");
            }
        }
    }

    private final Map<String, User> users;
    private final String dummyHash;

    private LocalUsers(Map<String, User> users) {
        this.users = users;
        // An unknown name costs a login as much as a known one, so timing does not tell which names exist.
        this.dummyHash = hash("not a password".toCharArray(), DEFAULT_ITERATIONS);
    }

    public static LocalUsers of(List<User> users) {
        Map<String, User> byName = new LinkedHashMap<>();
        for (User u : users) {
            if (byName.put(u.name(), u) != null) {
                throw new IllegalArgumentException("user " + u.name() + " is listed twice");
            }
        }
        return new LocalUsers(byName);
    }

    /** The file's users; a line that is not a user is an error naming the line (never echoing a hash). */
    public static LocalUsers read(Path file) throws IOException {
        List<User> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            try {
                if (f.length != 3) {
                    throw new IllegalArgumentException("a line is 'name role hash'");
                }
                parseHash(f[2]);
                out.add(new User(f[0], f[1], f[2]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return of(out);
    }

    /** Writes the users to a file that only its owner can read. */
    public static void write(Path file, List<User> users) throws IOException {
        StringBuilder text = new StringBuilder("# Vigil alert-sink users: name role " + SCHEME + "$iterations$salt$hash\n");
        for (User u : users) {
            text.append(u.name()).append(' ').append(u.role()).append(' ').append(u.passwordHash()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        OwnerOnly.write(tmp, text.toString());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The user, when the name and password match; empty otherwise, in about the same time either way. */
    public Optional<User> check(String name, char[] password) {
        User u = name == null ? null : users.get(name);
        boolean match = matches(password, u == null ? dummyHash : u.passwordHash());
        return match && u != null ? Optional.of(u) : Optional.empty();
    }

    public int size() {
        return users.size();
    }

    public List<User> users() {
        return List.copyOf(users.values());
    }

    public static String hash(char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    public static String hash(char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(derive(password, salt, iterations));
    }

    /** A random password of 24 characters (144 bits), for a generated user. */
    public static String newPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static boolean matches(char[] password, String hash) {
        Hash h = parseHash(hash);
        return MessageDigest.isEqual(h.value(), derive(password, h.salt(), h.iterations()));
    }

    private record Hash(int iterations, byte[] salt, byte[] value) {
    }

    private static Hash parseHash(String hash) {
        String[] p = hash.split("\\$");
        if (p.length != 4 || !p[0].equals(SCHEME)) {
            throw new IllegalArgumentException("a password hash is " + SCHEME + "$iterations$salt$hash");
        }
        try {
            int iterations = Integer.parseInt(p[1]);
            if (iterations < 1 || iterations > 10_000_000) {
                throw new IllegalArgumentException("iterations must be 1..10000000");
            }
            return new Hash(iterations, Base64.getDecoder().decode(p[2]), Base64.getDecoder().decode(p[3]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a password hash is " + SCHEME + "$iterations$salt$hash (" + e.getMessage() + ")");
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17", e);
        }
    }
}
