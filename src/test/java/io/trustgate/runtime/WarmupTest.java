package io.trustgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.cache.OutcomeCache;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.notary.VersionStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WarmupTest {

    @Test
    @DisplayName("with no upstream anywhere, every warm-up round verifies the embedded GPG and Notary signatures and "
            + "admits the Pod and the Deployment")
    void admitsOffline() {
        Warmup.Result result = Warmup.load().run(Duration.ofMillis(1500));

        assertThat(result.failures()).isEmpty();
        assertThat(result.rounds()).isPositive();
        assertThat(result.admitted()).isEqualTo(2 * result.rounds());
    }

    @Test
    @DisplayName("a budget of 0s runs no round")
    void disabled() {
        Warmup.Result result = Warmup.load().run(Duration.ZERO);

        assertThat(result.rounds()).isZero();
        assertThat(result.admitted()).isZero();
    }

    @Test
    @DisplayName("a warm-up leaves the webhook's verifier stack alone: its caches stay empty, its Notary rollback "
            + "state is neither read nor raised")
    void leavesRealStateAlone() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<OutcomeCache<?, ?>> caches = new CopyOnWriteArrayList<>();
        AtomicInteger versionCalls = new AtomicInteger();
        VersionStore memory = VersionStore.inMemory();
        VersionStore counting = new VersionStore() {
            @Override
            public Map<String, Long> highest(String server, String gun) {
                versionCalls.incrementAndGet();
                return memory.highest(server, gun);
            }

            @Override
            public void raise(String server, String gun, Map<String, Long> versions) {
                versionCalls.incrementAndGet();
                memory.raise(server, gun, versions);
            }
        };
        VerifierStack.Hooks hooks = new VerifierStack.Hooks(
                r -> r, l -> l, (server, f) -> f, repository -> {}, (cache, labels) -> caches.add(cache));
        TrustgateSettings settings = TrustgateSettings.defaults();
        try (VerifierStack stack = VerifierStack.create(
                vertx,
                new VerifierStack.Settings(
                        settings.transport(),
                        settings.cache(),
                        Clock.systemUTC(),
                        settings.expiryWarning(),
                        hooks,
                        counting))) {
            Warmup.Result result = Warmup.load().run(Duration.ofMillis(500));

            assertThat(result.admitted()).isPositive();
            assertThat(caches).hasSize(3);
            assertThat(caches)
                    .allSatisfy(c ->
                            assertThat(c.view().estimatedSize()).as(c.name()).isZero());
            assertThat(stack.verifier().verdictCache().view().asMap()).isEmpty();
            assertThat(versionCalls).hasValue(0);
            assertThat(memory.highest("https://notary.warmup.trustgate.invalid", Warmup.GUN))
                    .isEmpty();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
