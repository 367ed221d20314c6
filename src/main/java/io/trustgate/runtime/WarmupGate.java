package io.trustgate.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs a warm-up on its own thread and tells readiness when to stop waiting for it: when it has finished, or
 * when its budget has passed, whichever comes first. A warm-up that fails or hangs never holds readiness longer
 * than the budget; a budget of zero starts nothing and is done at once.
 */
public final class WarmupGate {

    private final long deadline;
    private final CompletableFuture<Warmup.Result> result;

    private WarmupGate(long deadline, CompletableFuture<Warmup.Result> result) {
        this.deadline = deadline;
        this.result = result;
    }

    /** Starts {@code work} (given the budget) on a daemon thread named {@code trustgate-warmup}. */
    public static WarmupGate start(Duration budget, Function<Duration, Warmup.Result> work) {
        Objects.requireNonNull(work, "work");
        if (budget.isZero() || budget.isNegative()) {
            return new WarmupGate(
                    System.nanoTime(),
                    CompletableFuture.completedFuture(new Warmup.Result(0, 0, Duration.ZERO, List.of())));
        }
        long deadline = System.nanoTime() + budget.toNanos();
        CompletableFuture<Warmup.Result> result = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        result.complete(work.apply(budget));
                    } catch (RuntimeException | Error e) {
                        result.completeExceptionally(e);
                    }
                },
                "trustgate-warmup");
        thread.setDaemon(true);
        thread.start();
        return new WarmupGate(deadline, result);
    }

    /** Whether readiness may stop waiting: the warm-up finished (well or not) or its budget has passed. */
    public boolean done() {
        return result.isDone() || System.nanoTime() - deadline >= 0;
    }

    /** The warm-up's result, for the log. */
    public CompletableFuture<Warmup.Result> result() {
        return result;
    }
}
