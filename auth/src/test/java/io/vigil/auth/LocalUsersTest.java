package io.vigil.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalUsersTest {

    @TempDir
    Path dir;

    @Test
    void aUserLogsInWithTheirPasswordOnlyAndTheFileHoldsNoPassword() throws Exception {
        String password = LocalUsers.newPassword();
        Path file = dir.resolve("users");
        LocalUsers.write(file, List.of(new LocalUsers.User("ana", LocalUsers.OPERATOR, LocalUsers.hash(password.toCharArray(), 1000)),
                new LocalUsers.User("bo", LocalUsers.VIEWER, LocalUsers.hash("bo's password".toCharArray(), 1000))));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(Files.readString(file).contains(password));
        LocalUsers users = LocalUsers.read(file);
        assertEquals(2, users.size());
        assertEquals(LocalUsers.OPERATOR, users.check("ana", password.toCharArray()).orElseThrow().role());
        assertEquals(LocalUsers.VIEWER, users.check("bo", "bo's password".toCharArray()).orElseThrow().role());
        assertTrue(users.check("ana", "bo's password".toCharArray()).isEmpty());
        assertTrue(users.check("nobody", password.toCharArray()).isEmpty());
        assertTrue(users.check(null, password.toCharArray()).isEmpty());
    }

    @Test
    void theSamePasswordHashesDifferentlyEachTime() {
        assertNotEquals(LocalUsers.hash("x".toCharArray(), 10), LocalUsers.hash("x".toCharArray(), 10));
    }

    @Test
    void aBadLineIsAnErrorNamingItsLineAndNotItsContent() throws Exception {
        Path file = dir.resolve("users");
        String good = "ana viewer " + LocalUsers.hash("p".toCharArray(), 10);
        for (String bad : List.of("ana viewer", "ana admin " + LocalUsers.hash("p".toCharArray(), 10), "ana viewer plain-secret",
                "a/b viewer " + LocalUsers.hash("p".toCharArray(), 10), "ana viewer pbkdf2-sha256$0$AA$AA", good + "\n" + good)) {
            Files.writeString(file, "# users\n" + bad + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalUsers.read(file), bad);
            assertFalse(e.getMessage().contains("plain-secret"), e.getMessage());
            assertTrue(e.getMessage().contains("line 2") || e.getMessage().contains("twice"), e.getMessage());
        }
    }

    @Test
    void addUserWritesARandomPasswordToAnOwnerOnlyFileAndReplacesAnExistingUser() throws Exception {
        Path file = dir.resolve("users");
        Path vera = AddUser.add(file, "vera", LocalUsers.VIEWER);
        Path otto = AddUser.add(file, "otto", LocalUsers.OPERATOR);
        String first = Files.readString(vera).strip();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(vera)));
        assertTrue(LocalUsers.read(file).check("vera", first.toCharArray()).isPresent());

        AddUser.add(file, "vera", LocalUsers.OPERATOR); // a new password and role
        LocalUsers users = LocalUsers.read(file);
        assertEquals(2, users.size());
        assertTrue(users.check("vera", first.toCharArray()).isEmpty(), "the old password no longer works");
        assertEquals(LocalUsers.OPERATOR, users.check("vera", Files.readString(vera).strip().toCharArray()).orElseThrow().role());
        assertTrue(users.check("otto", Files.readString(otto).strip().toCharArray()).isPresent());
        assertThrows(IllegalArgumentException.class, () -> AddUser.add(file, "eve", "admin"));
    }
}
