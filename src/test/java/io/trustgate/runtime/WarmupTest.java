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
    @DisplayName("through the real transport clients and a loopback server (TLS and plain HTTP), every round verifies "
            + "the embedded signatures and admits the reviews posted to the loopback /validate and /mutate")
    void admitsOverLoopbackTransport() {
        Warmup warmup = Warmup.load();
        Warmup.Result result =
                warmup.run(Duration.ofSeconds(15), TrustgateSettings.defaults().transport());

        // On a loaded machine the first rounds (class loading, the first TLS handshakes) may outlast the round's
        // timeout; nothing else may fail.
        assertThat(result.failures()).allSatisfy(f -> assertThat(f).contains("took longer than"));
        assertThat(result.admitted()).isGreaterThanOrEqualTo(4); // a round over TLS and one over plain HTTP at least
        // per round: two reviews posted, and the registry, lookaside and Notary requests of a cold review
        assertThat(warmup.upstreamRequests()).isGreaterThanOrEqualTo(10L * result.admitted() / 2);
    }

    @Test
    @DisplayName("the loopback upstream sends every host, whatever its name, to itself on 127.0.0.1, so the warm-up's "
            + "clients can reach nothing else")
    void loopbackOnly() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (WarmupUpstream upstream = WarmupUpstream.start(vertx, Map.of(), "sha256:" + "0".repeat(64))) {
            for (String host : List.of("registry-1.docker.io", "notary.docker.io", Warmup.REGISTRY, "10.0.0.1")) {
                for (int port : new int[] {80, 443, 5000}) {
                    assertThat(upstream.addresses().connectTo(host, port).host())
                            .as(host + ":" + port)
                            .isEqualTo("127.0.0.1");
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
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
            Warmup.Result result = Warmup.load().run(Duration.ofSeconds(3));
            Warmup.Result overTransport = Warmup.load().run(Duration.ofSeconds(6), settings.transport());

            assertThat(result.admitted()).isPositive();
            assertThat(overTransport.admitted()).isPositive();
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
