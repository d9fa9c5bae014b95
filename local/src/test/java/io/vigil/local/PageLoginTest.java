package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.auth.LocalUsers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageLoginTest {

    @TempDir
    Path data;

    @Test
    void theFirstRunCreatesAnOperatorWhosePasswordIsInAnOwnerOnlyFileAndLaterRunsKeepIt() throws Exception {
        io.vigil.auth.LoginFiles login = PageLogin.in(data);
        assertTrue(login.createIfMissing());
        String password = Files.readString(login.passwordFile()).strip();
        for (Path secret : new Path[] {login.passwordFile(), login.users(), login.keys().signingKey()}) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)), secret.toString());
        }
        assertFalse(Files.readString(login.users()).contains(password));
        assertEquals(LocalUsers.OPERATOR, LocalUsers.read(login.users()).check(PageLogin.USER, password.toCharArray())
                .orElseThrow().role());

        String key = Files.readString(login.keys().signingKey());
        assertFalse(PageLogin.in(data).createIfMissing(), "a second run keeps the user, its password and the keys");
        assertEquals(password, Files.readString(login.passwordFile()).strip());
        assertEquals(key, Files.readString(login.keys().signingKey()));

        Map<String, String> alertSink = LocalServices.services(LocalOptions.parse(new String[] {"--data-dir", data.toString()}), "127.0.0.1:9092").stream()
                .filter(s -> s.name().equals("alert-sink")).findFirst().orElseThrow().properties();
        assertEquals(login.users().toAbsolutePath().toString(), alertSink.get("vigil.alerts.auth.users-file"));
        assertEquals(login.keys().verifyKey().toAbsolutePath().toString(), alertSink.get("mp.jwt.verify.publickey.location"));
    }
}
