package io.trustgate.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.trustgate.notary.RepoBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link TrustedMetadataSet} alone, no I/O: repositories signed in memory by {@link RepoBuilder}, the reference
 * time pinned. Each case names the invariant of the class comment it holds it to.
 */
@DisplayName("TrustedMetadataSet")
class TrustedMetadataSetTest {

    private static final String GUN = "registry.example/tuf/app";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final String HEX = "ab".repeat(32);

    private final RepoBuilder repo = new RepoBuilder(GUN, NOW);

    private TrustedMetadataSet pinned(Map<String, byte[]> files, Map<String, Long> seen) {
        return TrustedMetadataSet.fromPinnedRoot(
                GUN, files.get("root"), RootPins.of(repo.rootKey.publicPem()), NOW, Limits.DEFAULT, seen);
    }

    private TrustedMetadataSet loadedToTargets(Map<String, byte[]> files) {
        TrustedMetadataSet set = pinned(files, Map.of());
        set.updateTimestamp(files.get("timestamp"));
        set.updateSnapshot(files.get("snapshot"));
        set.updateTargets(files.get("targets"));
        return set;
    }

    @Nested
    @DisplayName("load order root -> timestamp -> snapshot -> targets -> delegations")
    class LoadOrder {

        @Test
        @DisplayName("a repository loaded in order is trusted whole, and versions() reports every role")
        void inOrder() {
            repo.targets.put("1.0", HEX);
            repo.timestampVersion = 7;
            repo.snapshotVersion = 5;
            repo.targetsVersion = 3;
            RepoBuilder.Delegation releases = repo.delegate("targets/releases", TestKey.ecdsa());
            releases.targets.put("2.0", HEX);
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = loadedToTargets(files);
            TrustedTargets delegated =
                    set.updateDelegatedTargets("targets/releases", "targets", files.get("targets/releases"));

            assertThat(set.targets("targets"))
                    .hasValueSatisfying(t -> assertThat(t.targets()).containsKey("1.0"));
            assertThat(delegated.targets()).containsKey("2.0");
            assertThat(set.versions())
                    .containsExactly(
                            Map.entry("root", 1L),
                            Map.entry("timestamp", 7L),
                            Map.entry("snapshot", 5L),
                            Map.entry("targets", 3L),
                            Map.entry("targets/releases", 1L));
            assertThat(set.rootCertificateExpiry())
                    .as("known once the final root is checked")
                    .isPresent();
        }

        @Test
        @DisplayName("a first update verifies each signature once: the root's is not verified again for the pins"
                + " and the certificates")
        void eachSignatureOnce() {
            repo.targets.put("1.0", HEX);
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of());
            assertThat(set.signatureChecks())
                    .as("the root's one signature, checked for its own keys and the pinned ones")
                    .isEqualTo(1);
            set.updateTimestamp(files.get("timestamp"));
            assertThat(set.signatureChecks())
                    .as("the final root's certificates check reuses the root's verified signature")
                    .isEqualTo(2);
            set.updateSnapshot(files.get("snapshot"));
            set.updateTargets(files.get("targets"));
            assertThat(set.signatureChecks())
                    .as("root, timestamp, snapshot, targets")
                    .isEqualTo(4);
        }

        @Test
        @DisplayName("each step called out of order is an IllegalStateException, and the set stays usable")
        void outOfOrder() {
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of());
            assertThatThrownBy(() -> set.updateSnapshot(files.get("snapshot")))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> set.updateTargets(files.get("targets"))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> set.updateDelegatedTargets("targets/x", "targets", new byte[0]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("targets must be loaded before");
            set.updateTimestamp(files.get("timestamp"));
            assertThatThrownBy(() -> set.updateRoot(files.get("root")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("after the timestamp");
            assertThatThrownBy(() -> set.updateTimestamp(files.get("timestamp")))
                    .isInstanceOf(IllegalStateException.class);
            set.updateSnapshot(files.get("snapshot"));
            set.updateTargets(files.get("targets"));
            assertThatThrownBy(() -> set.updateTargets(files.get("targets"))).isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("a root rotation must be exactly the next version")
        void rotationVersion() {
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of());
            VersionMismatchException e =
                    catchThrowableOfType(VersionMismatchException.class, () -> set.updateRoot(files.get("root")));
            assertThat(e.role()).isEqualTo("root");
            assertThat(e.expectedVersion()).isEqualTo(2);
            assertThat(e.actualVersion()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("expiry against the one reference time")
    class Expiry {

        @Test
        @DisplayName(
                "an expired timestamp is refused with role, expiry and reference time, and the set keeps no timestamp")
        void expiredTimestamp() {
            repo.timestampExpires = NOW.minusSeconds(1);
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of());
            ExpiredMetadataException e = catchThrowableOfType(
                    ExpiredMetadataException.class, () -> set.updateTimestamp(files.get("timestamp")));
            assertThat(e.role()).isEqualTo("timestamp");
            assertThat(e.expires()).isEqualTo(NOW.minusSeconds(1));
            assertThat(e.referenceTime()).isEqualTo(NOW);
            assertThat(set.timestamp()).as("a failure leaves the set as it was").isEmpty();

            repo.timestampExpires = NOW.plus(Duration.ofDays(1));
            set.updateTimestamp(repo.build().get("timestamp"));
            assertThat(set.timestamp()).isPresent();
        }

        @Test
        @DisplayName("an expired final root is refused when the timestamp is loaded (5.3.10)")
        void expiredFinalRoot() {
            repo.rootExpires = NOW.minusSeconds(60);
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of());
            ExpiredMetadataException e = catchThrowableOfType(
                    ExpiredMetadataException.class, () -> set.updateTimestamp(files.get("timestamp")));
            assertThat(e.role()).isEqualTo("root");
        }

        @Test
        @DisplayName("expired snapshot, targets and delegated targets are each refused (freeze attack)")
        void expiredLowerRoles() {
            repo.snapshotExpires = NOW.minusSeconds(1);
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of());
            set.updateTimestamp(files.get("timestamp"));
            assertThat(catchThrowableOfType(
                                    ExpiredMetadataException.class, () -> set.updateSnapshot(files.get("snapshot")))
                            .role())
                    .isEqualTo("snapshot");

            RepoBuilder fresh = new RepoBuilder(GUN, NOW);
            fresh.targetsExpires = NOW.minusSeconds(1);
            RepoBuilder.Delegation d = fresh.delegate("targets/releases", TestKey.ecdsa());
            d.expires = NOW.minusSeconds(1);
            Map<String, byte[]> f2 = fresh.build();
            TrustedMetadataSet set2 = TrustedMetadataSet.fromPinnedRoot(
                    GUN, f2.get("root"), RootPins.of(fresh.rootKey.publicPem()), NOW, Limits.DEFAULT, Map.of());
            set2.updateTimestamp(f2.get("timestamp"));
            set2.updateSnapshot(f2.get("snapshot"));
            assertThat(catchThrowableOfType(ExpiredMetadataException.class, () -> set2.updateTargets(f2.get("targets")))
                            .role())
                    .isEqualTo("targets");
        }
    }

    @Nested
    @DisplayName("rollback against the highest versions seen")
    class Rollback {

        @Test
        @DisplayName("timestamp, snapshot and targets older than those trusted before are refused with both versions")
        void olderVersions() {
            Map<String, byte[]> files = repo.build();
            RollbackException ts = catchThrowableOfType(
                    RollbackException.class,
                    () -> pinned(files, Map.of("timestamp", 2L)).updateTimestamp(files.get("timestamp")));
            assertThat(ts.role()).isEqualTo("timestamp");
            assertThat(ts.trustedVersion()).isEqualTo(2);
            assertThat(ts.newVersion()).isEqualTo(1);

            TrustedMetadataSet snap = pinned(files, Map.of("snapshot", 4L));
            snap.updateTimestamp(files.get("timestamp"));
            assertThat(catchThrowableOfType(RollbackException.class, () -> snap.updateSnapshot(files.get("snapshot")))
                            .role())
                    .isEqualTo("snapshot");

            TrustedMetadataSet targets = pinned(files, Map.of("targets", 9L));
            targets.updateTimestamp(files.get("timestamp"));
            targets.updateSnapshot(files.get("snapshot"));
            assertThat(catchThrowableOfType(RollbackException.class, () -> targets.updateTargets(files.get("targets")))
                            .trustedVersion())
                    .isEqualTo(9);
        }

        @Test
        @DisplayName("a root older than one trusted before is refused before its signatures matter")
        void olderRoot() {
            Map<String, byte[]> files = repo.build();
            assertThat(catchThrowableOfType(RollbackException.class, () -> pinned(files, Map.of("root", 3L)))
                            .role())
                    .isEqualTo("root");
        }

        @Test
        @DisplayName("the same versions as before are accepted (a repository that did not change)")
        void sameVersions() {
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of("root", 1L, "timestamp", 1L, "snapshot", 1L, "targets", 1L));
            set.updateTimestamp(files.get("timestamp"));
            set.updateSnapshot(files.get("snapshot"));
            assertThat(set.updateTargets(files.get("targets")).version()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("thresholds, pins and the bytes parents commit to")
    class Signatures {

        @Test
        @DisplayName(
                "targets with threshold 2 signed by one of its two keys is refused; by both it is trusted with both keys")
        void targetsThreshold() {
            TestKey a = TestKey.ecdsa();
            TestKey b = TestKey.ecdsa();
            repo.targetsKeys = List.of(a, b);
            repo.targetsThreshold = 2;
            repo.targetsSigners = List.of(a);
            Map<String, byte[]> one = repo.build();
            TrustedMetadataSet set = pinned(one, Map.of());
            set.updateTimestamp(one.get("timestamp"));
            set.updateSnapshot(one.get("snapshot"));
            ThresholdNotMetException e =
                    catchThrowableOfType(ThresholdNotMetException.class, () -> set.updateTargets(one.get("targets")));
            assertThat(e.threshold()).isEqualTo(2);
            assertThat(e.validKeyIds()).containsExactly(a.id());

            repo.targetsSigners = List.of(a, b);
            assertThat(loadedToTargets(repo.build())
                            .targets("targets")
                            .orElseThrow()
                            .signingKeys())
                    .hasSize(2);
        }

        @Test
        @DisplayName("one key signing twice counts once toward a threshold of 2")
        void distinctKeys() {
            TestKey a = TestKey.ecdsa();
            repo.targetsKeys = List.of(a, TestKey.ecdsa());
            repo.targetsThreshold = 2;
            repo.targetsSigners = List.of(a, a);
            Map<String, byte[]> files = repo.build();
            TrustedMetadataSet set = pinned(files, Map.of());
            set.updateTimestamp(files.get("timestamp"));
            set.updateSnapshot(files.get("snapshot"));
            assertThatThrownBy(() -> set.updateTargets(files.get("targets")))
                    .isInstanceOf(ThresholdNotMetException.class);
        }

        @Test
        @DisplayName("a root whose keys match no pin is refused with the pins and the root's key ids")
        void unpinnedRoot() {
            Map<String, byte[]> files = repo.build();
            TestKey other = TestKey.rootCertificate(GUN, NOW.minus(RepoBuilder.DAY), NOW.plus(RepoBuilder.DAY));
            RootPinException e = catchThrowableOfType(
                    RootPinException.class,
                    () -> TrustedMetadataSet.fromPinnedRoot(
                            GUN, files.get("root"), RootPins.of(other.publicPem()), NOW, Limits.DEFAULT, Map.of()));
            assertThat(e.getMessage()).contains("no root key matches a pin").contains(repo.rootKey.id());
        }

        @Test
        @DisplayName("a snapshot from another publication than the timestamp names is refused (mix and match)")
        void mixAndMatch() {
            Map<String, byte[]> first = repo.build();
            repo.targets.put("2.0", HEX);
            repo.targetsVersion = 2;
            repo.snapshotVersion = 2;
            Map<String, byte[]> second = repo.build();
            TrustedMetadataSet set = pinned(first, Map.of());
            set.updateTimestamp(first.get("timestamp"));
            assertThatThrownBy(() -> set.updateSnapshot(second.get("snapshot")))
                    .isInstanceOfAny(LengthMismatchException.class, HashMismatchException.class);
            assertThat(set.snapshot()).isEmpty();
        }

        @Test
        @DisplayName("a delegated role keeps only the targets inside the paths delegated to it")
        void delegationPaths() {
            RepoBuilder.Delegation releases = repo.delegate("targets/releases", TestKey.ecdsa());
            releases.paths = List.of("release-");
            releases.targets.put("release-1.0", HEX);
            releases.targets.put("latest", HEX);
            Map<String, byte[]> files = repo.build();
            TrustedTargets trusted = loadedToTargets(files)
                    .updateDelegatedTargets("targets/releases", "targets", files.get("targets/releases"));
            assertThat(trusted.targets()).containsOnlyKeys("release-1.0");
        }
    }
}
