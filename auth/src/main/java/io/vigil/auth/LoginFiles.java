package io.vigil.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The alert-sink's built-in login in one directory: a users file with one operator, whose random password is in an
 * owner-only file, and the key pair that signs and verifies the login's tokens. Created when missing and then kept,
 * so logins survive restarts. {@code vigil-local} makes it in {@code .vigil/auth}; a container setup runs
 * {@code java -cp ... io.vigil.auth.LoginFiles DIR}.
 */
public record LoginFiles(Path users, TokenKeys keys, Path passwordFile) {

    public static final String USER = "operator";

    public static LoginFiles in(Path dir) {
        return new LoginFiles(dir.resolve("users"), TokenKeys.in(dir), dir.resolve(USER + ".password"));
    }

    /** Creates what is missing; true when the operator was created now (say how to log in, once). */
    public boolean createIfMissing() throws IOException {
        TokenKeys.createOrLoad(users.getParent());
        if (Files.isRegularFile(users) && Files.isRegularFile(passwordFile)) {
            return false;
        }
        String password = LocalUsers.newPassword();
        OwnerOnly.write(passwordFile, password + "\n");
        LocalUsers.write(users, List.of(new LocalUsers.User(USER, LocalUsers.OPERATOR, LocalUsers.hash(password.toCharArray()))));
        return true;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: LoginFiles DIR");
            System.exit(2);
        }
        LoginFiles files = in(Path.of(args[0]));
        System.out.println(files.createIfMissing() ? "created the user " + USER + "; its password is in " + files.passwordFile()
                : "the login files in " + args[0] + " are in place");
    }
}
