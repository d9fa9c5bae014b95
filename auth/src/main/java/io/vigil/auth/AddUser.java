package io.vigil.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds a user to the alert-sink's users file, or gives an existing one a new password, with a random password
 * written to an owner-only file next to it (never on the command line or the screen):
 * {@code java -cp "local/target/lib/*" io.vigil.auth.AddUser .vigil/auth/users vera viewer}.
 * The alert-sink reads the users file at start.
 */
public final class AddUser {

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: AddUser USERS_FILE NAME viewer|operator");
            System.exit(2);
        }
        try {
            Path file = Path.of(args[0]);
            System.out.println("password of " + args[1] + " in " + add(file, args[1], args[2]) + " (owner-only); restart the "
                    + "alert-sink to load " + file);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** Adds or replaces the user; returns the file holding the new password. */
    static Path add(Path users, String name, String role) throws Exception {
        String password = LocalUsers.newPassword();
        LocalUsers.User user = new LocalUsers.User(name, role, LocalUsers.hash(password.toCharArray()));
        List<LocalUsers.User> all = new ArrayList<>();
        if (Files.exists(users)) {
            all.addAll(LocalUsers.read(users).users().stream().filter(u -> !u.name().equals(name)).toList());
        }
        all.add(user);
        Path passwordFile = users.resolveSibling(name + ".password");
        OwnerOnly.write(passwordFile, password + "\n");
        LocalUsers.write(users, all);
        return passwordFile;
    }

    private AddUser() {
    }
}
