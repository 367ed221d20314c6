package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trustgate.notary.VersionEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ConfigMap store's compare-and-swap against Fabric8's mock API server (which rejects an update carrying a
 * stale resourceVersion with 409, as the real one does; the real one is exercised by the cluster suite).
 */
@EnableKubernetesMockClient(crud = true)
class ConfigMapVersionStoreTest {

    private static final String NS = "trustgate";
    private static final String NAME = "trustgate-notary-versions";
    private static final String SERVER = "https://notary.example.test";

    KubernetesClient client;

    private ConfigMap stored() {
        return client.configMaps().inNamespace(NS).withName(NAME).get();
    }

    private Map<String, Long> storedVersions(String gun) {
        ConfigMap cm = stored();
        if (cm == null || cm.getData() == null) {
            return Map.of();
        }
        String json = cm.getData().get(ConfigMapVersionStore.key(SERVER, gun));
        return json == null
                ? Map.of()
                : VersionEntry.fromJson(json).orElseThrow().versions();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("condition not reached");
    }

    @Test
    @DisplayName(
            "a write that loses the race (409 on a stale resourceVersion) reads again, keeps the other replica's rise and its own")
    void conflictRereadsAndMerges() throws Exception {
        client.configMaps()
                .inNamespace(NS)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(NAME)
                        .withNamespace(NS)
                        .endMetadata()
                        .build())
                .create();
        try (ConfigMapVersionStore store = new ConfigMapVersionStore(client, NS, NAME, Clock.systemUTC()).start()) {
            await(store::loaded);
            AtomicInteger attempts = new AtomicInteger();
            store.beforeUpdate = () -> {
                if (attempts.incrementAndGet() == 1) {
                    // another replica writes between this store's read and its update
                    ConfigMap other = stored();
                    client.configMaps()
                            .inNamespace(NS)
                            .resource(new ConfigMapBuilder(other)
                                    .addToData(
                                            ConfigMapVersionStore.key(SERVER, "other/app"),
                                            new VersionEntry(SERVER, "other/app", Map.of("targets", 9L), Instant.now())
                                                    .toJson())
                                    .build())
                            .update();
                }
            };
            store.raise(SERVER, "team/app", Map.of("targets", 5L, "snapshot", 5L));

            await(() -> storedVersions("team/app").equals(Map.of("targets", 5L, "snapshot", 5L)));
            assertThat(attempts.get())
                    .as("the first update conflicted and was retried")
                    .isEqualTo(2);
            assertThat(storedVersions("other/app"))
                    .as("the other replica's rise survives")
                    .containsEntry("targets", 9L);
            assertThat(store.highest(SERVER, "other/app"))
                    .as("and is now this replica's floor too")
                    .containsEntry("targets", 9L);
        }
    }

    @Test
    @DisplayName(
            "a second store (a restarted or another replica) starts from what the first stored, and never lowers it")
    void sharedAndOnlyRising() throws Exception {
        try (ConfigMapVersionStore first = new ConfigMapVersionStore(client, NS, NAME, Clock.systemUTC()).start()) {
            await(first::loaded);
            first.raise(SERVER, "team/app", Map.of("targets", 5L));
            await(() -> storedVersions("team/app").equals(Map.of("targets", 5L)));
        }
        try (ConfigMapVersionStore second = new ConfigMapVersionStore(client, NS, NAME, Clock.systemUTC()).start()) {
            await(second::loaded);
            assertThat(second.highest(SERVER, "team/app")).containsEntry("targets", 5L);
            second.raise(SERVER, "team/app", Map.of("targets", 4L, "snapshot", 2L));
            await(() -> storedVersions("team/app").containsKey("snapshot"));
            assertThat(storedVersions("team/app")).containsEntry("targets", 5L).containsEntry("snapshot", 2L);
        }
    }
}
