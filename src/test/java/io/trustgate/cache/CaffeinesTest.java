package io.trustgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CaffeinesTest {

    @Test
    @DisplayName("a cache evicts on the thread that wrote to it, even while ForkJoinPool.commonPool() runs nothing")
    void upkeepOnTheCallingThread() throws Exception {
        OutcomeCache<String, String> cache =
                new OutcomeCache<>("test", v -> Duration.ofMinutes(1), Duration.ofSeconds(1), 1, Clock.systemUTC());
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<?>> blockers = new ArrayList<>();
        try {
            // Every common-pool worker waits: upkeep handed to that pool would not run until release.
            CountDownLatch started = new CountDownLatch(ForkJoinPool.getCommonPoolParallelism());
            for (int i = 0; i < ForkJoinPool.getCommonPoolParallelism(); i++) {
                blockers.add(CompletableFuture.runAsync(() -> {
                    started.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            cache.get("a", () -> CompletableFuture.completedFuture("1")).join();
            cache.get("b", () -> CompletableFuture.completedFuture("2")).join();

            assertThat(cache.view().estimatedSize())
                    .as("entries after two writes to a cache of one")
                    .isEqualTo(1);
        } finally {
            release.countDown();
            CompletableFuture.allOf(blockers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
    }
}
