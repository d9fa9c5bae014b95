package io.vigil.alerts.auth;

import io.vigil.proto.auth.LocalUsers;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Checks logins against the built-in user store, with a lockout of a user name after too many failures in a row and
 * a global rate (each check costs a password hash), so guessing passwords is slow and cannot exhaust the service.
 */
public final class LoginGuard {

    public enum Outcome {
        OK, WRONG, LOCKED, BUSY
    }

    /** The user when OK; how long to wait when LOCKED or BUSY. */
    public record Result(Outcome outcome, Optional<LocalUsers.User> user, Duration retryAfter) {
    }

    private static final int MAX_TRACKED_NAMES = 10_000;

    private final LocalUsers users;
    private final int maxFailed;
    private final long lockoutNanos;
    private final LongSupplier nanoClock;
    private final FixedWindowLimit checks;
    private final Map<String, long[]> failures = RecentKeys.map(MAX_TRACKED_NAMES); // name -> count, last failure

    public LoginGuard(LocalUsers users, int maxFailed, Duration lockout, int checksPerSecond, LongSupplier nanoClock) {
        this.users = users;
        this.maxFailed = maxFailed;
        this.lockoutNanos = lockout.toNanos();
        this.nanoClock = nanoClock;
        this.checks = new FixedWindowLimit(checksPerSecond, Duration.ofSeconds(1), nanoClock);
    }

    public Result login(String name, char[] password) {
        String key = name == null ? "" : name;
        synchronized (this) {
            long[] f = failures.get(key);
            if (f != null && f[0] >= maxFailed) {
                long left = lockoutNanos - (nanoClock.getAsLong() - f[1]);
                if (left > 0) {
                    return new Result(Outcome.LOCKED, Optional.empty(), Duration.ofNanos(left));
                }
                failures.remove(key);
            }
        }
        Duration wait = checks.tryAcquire("*");
        if (!wait.isZero()) {
            return new Result(Outcome.BUSY, Optional.empty(), wait);
        }
        Optional<LocalUsers.User> user = users.check(name, password);
        synchronized (this) {
            if (user.isPresent()) {
                failures.remove(key);
                return new Result(Outcome.OK, user, Duration.ZERO);
            }
            long[] f = failures.computeIfAbsent(key, k -> new long[2]);
            f[0]++;
            f[1] = nanoClock.getAsLong();
        }
        return new Result(Outcome.WRONG, Optional.empty(), Duration.ZERO);
    }
}
