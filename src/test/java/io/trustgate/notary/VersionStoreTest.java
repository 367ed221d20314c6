package io.trustgate.notary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.trustgate.testing.MutableClock;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RollbackException;
import io.trustgate.tuf.RootPins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollback state: only rises, stays bounded, and (in a file) outlives the process that recorded it. */
class VersionStoreTest {

    private static final String GUN = "registry.example.test/team/app";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SERVER = "https://notary.example.test";

    @Test
    @DisplayName("versions only rise, per role, and servers are kept apart")
    void onlyRises() {
        InMemoryVersionStore store = new InMemoryVersionStore(10, CLOCK);
        assertThat(store.rise(SERVER, GUN, Map.of("targets", 5L, "snapshot", 5L)))
                .isTrue();
        assertThat(store.rise(SERVER, GUN, Map.of("targets", 4L, "snapshot", 5L)))
                .as("nothing rose")
                .isFalse();
        assertThat(store.rise(SERVER, GUN, Map.of("targets", 4L, "timestamp", 7L)))
                .isTrue();
        assertThat(store.highest(SERVER, GUN))
                .containsOnly(Map.entry("targets", 5L), Map.entry("snapshot", 5L), Map.entry("timestamp", 7L));
        assertThat(store.highest("https://other.example.test", GUN)).isEmpty();
    }

    @Test
    @DisplayName("a full store forgets the repository whose versions rose longest ago")
    void bounded() {
        MutableClock clock = MutableClock.at(NOW);
        InMemoryVersionStore store = new InMemoryVersionStore(2, clock);
        store.raise(SERVER, "a", Map.of("targets", 1L));
        clock.set(NOW.plusSeconds(1));
        store.raise(SERVER, "b", Map.of("targets", 1L));
        clock.set(NOW.plusSeconds(2));
        store.raise(SERVER, "a", Map.of("targets", 2L));
        clock.set(NOW.plusSeconds(3));
        store.raise(SERVER, "c", Map.of("targets", 1L));
        assertThat(store.entries()).extracting(VersionEntry::gun).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    @DisplayName(
            "directory mode: a version accepted before a restart is still the floor after it (replayed metadata is a rollback)")
    void fileSurvivesRestart(@TempDir Path dir) {
        Path file = dir.resolve("state/notary-versions.json");
        InMemoryNotaryServer server = new InMemoryNotaryServer();
        RepoBuilder repo = new RepoBuilder(GUN, NOW);
        repo.targets.put("1.0", RepoBuilder.hex('a'));
        repo.timestampVersion = 4;
        repo.snapshotVersion = 4;
        repo.targetsVersion = 4;
        var v4 = repo.build();
        repo.timestampVersion = 5;
        repo.snapshotVersion = 5;
        repo.targetsVersion = 5;
        repo.publish(server);
        RootPins pins = RootPins.of(repo.rootKey.publicPem());

        try (FileVersionStore first = new FileVersionStore(file, 100, CLOCK)) {
            new NotaryClient(server, CLOCK, Limits.DEFAULT, new TrustedVersions(first, SERVER))
                    .update(GUN, pins)
                    .join();
        }
        assertThat(file).exists();

        v4.forEach((role, bytes) -> server.put(GUN, role, bytes)); // the older, validly signed state, replayed
        try (FileVersionStore restarted = new FileVersionStore(file, 100, CLOCK)) {
            assertThat(restarted.highest(SERVER, GUN)).containsEntry("targets", 5L);
            Throwable t = catchThrowable(
                    () -> new NotaryClient(server, CLOCK, Limits.DEFAULT, new TrustedVersions(restarted, SERVER))
                            .update(GUN, pins)
                            .join());
            assertThat(t)
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOfSatisfying(RollbackException.class, e -> {
                        assertThat(e.trustedVersion()).isEqualTo(5);
                        assertThat(e.newVersion()).isEqualTo(4);
                    });
        }
        // and with the in-memory store (the old behaviour) a restart forgets: the replay would be accepted
        assertThat(new NotaryClient(server, CLOCK, Limits.DEFAULT)
                        .update(GUN, pins)
                        .join())
                .isNotNull();
    }

    @Test
    @DisplayName("directory mode: the rises of a burst of new repositories share one rewrite of the file, made within "
            + "the flush delay, and every one of them survives a restart")
    void burstSharesOneWrite(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("notary-versions.json");
        try (FileVersionStore store = new FileVersionStore(file, 100, CLOCK)) {
            for (int i = 0; i < 50; i++) {
                store.raise(SERVER, GUN + i, Map.of("root", 1L, "targets", (long) i + 1));
            }
            long deadline = System.nanoTime() + FileVersionStore.FLUSH_DELAY.toNanos() + 10_000_000_000L;
            while (!Files.exists(file) && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            assertThat(file).exists();
            assertThat(store.writes()).isBetween(1L, 2L); // all 50 in one, or a second if the first began mid-burst
        }
        try (FileVersionStore restarted = new FileVersionStore(file, 100, CLOCK)) {
            for (int i = 0; i < 50; i++) {
                assertThat(restarted.highest(SERVER, GUN + i)).containsEntry("targets", (long) i + 1);
            }
        }
    }

    @Test
    @DisplayName("directory mode: a rise still waiting for its delayed write is written by close, at once")
    void closeWritesPending(@TempDir Path dir) {
        Path file = dir.resolve("notary-versions.json");
        try (FileVersionStore store = new FileVersionStore(file, 100, CLOCK)) {
            store.raise(SERVER, GUN, Map.of("targets", 7L));
        }
        assertThat(file).exists();
        try (FileVersionStore restarted = new FileVersionStore(file, 100, CLOCK)) {
            assertThat(restarted.highest(SERVER, GUN)).containsEntry("targets", 7L);
        }
    }

    @Test
    @DisplayName("a state file that is not one stops start-up instead of silently dropping protection")
    void corruptFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("notary-versions.json");
        Files.writeString(file, "[1, 2");
        assertThatThrownBy(() -> new FileVersionStore(file, 100, CLOCK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString());
    }
}
