package io.vigil.alerts.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.auth.LocalUsers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The built-in login's guard, over real PBKDF2 hashes (few iterations, so the test is quick). */
class LoginGuardTest {

    private final AtomicLong clock = new AtomicLong();
    private final LocalUsers users = LocalUsers.of(List.of(
            new LocalUsers.User("operator", LocalUsers.OPERATOR, LocalUsers.hash("right".toCharArray(), 1_000))));

    private LoginGuard.Outcome login(LoginGuard guard, String client, String password) {
        return guard.login("operator", client, password.toCharArray()).outcome();
    }

    @Test
    void guessingFromOnePlaceDoesNotLockTheRealUserOutElsewhere() {
        // Found in the code: the lockout was keyed by the user name only, so anyone could keep "operator" locked out.
        LoginGuard guard = new LoginGuard(users, 3, Duration.ofHours(1), 1_000, 1_000, clock::get);
        for (int i = 0; i < 3; i++) {
            assertEquals(LoginGuard.Outcome.WRONG, login(guard, "203.0.113.9", "guess " + i));
        }
        assertEquals(LoginGuard.Outcome.LOCKED, login(guard, "203.0.113.9", "right"), "the guesser's address is locked out");
        assertEquals(LoginGuard.Outcome.OK, login(guard, "198.51.100.4", "right"), "the operator's own address is not");
        clock.addAndGet(Duration.ofHours(1).toNanos() + 1);
        assertEquals(LoginGuard.Outcome.OK, login(guard, "203.0.113.9", "right"), "after the lockout");
    }

    @Test
    void oneAddressCannotTakeTheWholeRate() {
        LoginGuard guard = new LoginGuard(users, 1_000, Duration.ofHours(1), 10, 5, clock::get);
        for (int i = 0; i < 5; i++) {
            assertEquals(LoginGuard.Outcome.WRONG, login(guard, "203.0.113.9", "guess " + i));
        }
        assertEquals(LoginGuard.Outcome.BUSY, login(guard, "203.0.113.9", "guess"), "its own rate is used up");
        assertEquals(LoginGuard.Outcome.OK, login(guard, "198.51.100.4", "right"), "the global rate still has room");
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(LoginGuard.Outcome.WRONG, login(guard, "203.0.113.9", "guess"), "the next second");
    }
}
