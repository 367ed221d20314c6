package io.trustgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WarmupGateTest {

    private static final Warmup.Result DONE = new Warmup.Result(1, 2, Duration.ofMillis(1), List.of());

    @Test
    @DisplayName("readiness waits while the warm-up runs and stops waiting as soon as it has finished")
    void waitsForIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WarmupGate gate = WarmupGate.start(Duration.ofMinutes(5), b -> {
            await(release);
            return DONE;
        });

        Thread.sleep(200);
        assertThat(gate.done()).isFalse();
        release.countDown();
        assertThat(gate.result().get(10, TimeUnit.SECONDS)).isEqualTo(DONE);
        assertThat(gate.done()).isTrue();
    }

    @Test
    @DisplayName("a warm-up that hangs holds readiness no longer than its budget")
    void boundedByBudget() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        WarmupGate gate = WarmupGate.start(Duration.ofMillis(300), b -> {
            await(never);
            return DONE;
        });

        assertThat(gate.done()).isFalse();
        Thread.sleep(400);
        assertThat(gate.done()).isTrue();
        assertThat(gate.result()).isNotDone();
        never.countDown();
    }

    @Test
    @DisplayName("a warm-up that throws releases readiness at once")
    void failureReleases() throws Exception {
        WarmupGate gate = WarmupGate.start(Duration.ofMinutes(5), b -> {
            throw new IllegalStateException("broken data");
        });

        gate.result().handle((r, e) -> r).get(10, TimeUnit.SECONDS);
        assertThat(gate.done()).isTrue();
        assertThat(gate.result()).isCompletedExceptionally();
    }

    @Test
    @DisplayName("TRUSTGATE_WARMUP=0s starts nothing and is done at once")
    void disabled() {
        AtomicBoolean ran = new AtomicBoolean();
        WarmupGate gate = WarmupGate.start(Duration.ZERO, b -> {
            ran.set(true);
            return DONE;
        });

        assertThat(gate.done()).isTrue();
        assertThat(gate.result().join().rounds()).isZero();
        assertThat(ran).isFalse();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
