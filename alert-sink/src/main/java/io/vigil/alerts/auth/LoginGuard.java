package io.vigil.alerts.auth;

import io.vigil.auth.LocalUsers;
import io.vigil.common.collect.LruMap;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Checks logins against the built-in user store, with a lockout of a user name from one client address after too many
 * failures in a row, a rate per client address and a global rate (each check costs a password hash), so guessing
 * passwords is slow and cannot exhaust the service. The lockout is per address so that someone guessing from one
 * place cannot lock the real user out everywhere, and one address cannot take the whole global rate.
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
    private final FixedWindowLimit checksPerClient;
    /** (name, client address) -> count, last failure. */
    private final Map<String, long[]> failures = new LruMap<>(MAX_TRACKED_NAMES);

    public LoginGuard(LocalUsers users, int maxFailed, Duration lockout, int checksPerSecond, int checksPerSecondPerClient,
            LongSupplier nanoClock) {
        this.users = users;
        this.maxFailed = maxFailed;
        this.lockoutNanos = lockout.toNanos();
        this.nanoClock = nanoClock;
        this.checks = new FixedWindowLimit(checksPerSecond, Duration.ofSeconds(1), nanoClock);
        this.checksPerClient = new FixedWindowLimit(checksPerSecondPerClient, Duration.ofSeconds(1), nanoClock);
    }

    /** A login of {@code name} from {@code client} (its address, as the server or the trusted proxy saw it). */
    public Result login(String name, String client, char[] password) {
        String key = (name == null ? "" : name) + "\u0000" + client;
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
        Duration wait = checksPerClient.tryAcquire(client);
        if (wait.isZero()) {
            wait = checks.tryAcquire("*");
        }
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
