package io.trustgate.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waiting on a condition with a deadline, instead of a {@code Thread.sleep} that guesses how long something takes
 * (too short on a loaded machine, a hidden race; too long everywhere else). Fails with what was awaited and the
 * last value seen.
 *
 * <pre>{@code
 * Await.until("the Secret creds/regcred is read", Duration.ofSeconds(10), () -> secrets.get("creds", "regcred").isPresent());
 * Answer a = Await.until("the moved tag is seen", Duration.ofSeconds(10), () -> review(pod), answer -> !answer.allowed());
 * }</pre>
 */
public final class Await {

    private static final long POLL_MILLIS = 25;

    private Await() {}

    /** A probe that may throw (e.g. an HTTP call). */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls {@code condition} until it holds; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition::getAsBoolean, Boolean::booleanValue);
    }

    /**
     * Polls {@code probe} until {@code done} accepts its value, and returns that value; an {@link AssertionError}
     * naming {@code what} and the last value after {@code timeout}. An exception from the probe fails at once.
     */
    public static <T> T until(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last;
        while (true) {
            try {
                last = probe.get();
            } catch (Exception e) {
                throw new AssertionError("while waiting for " + what + ": " + e, e);
            }
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError(
                        "timed out after " + timeout + " waiting for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
