package io.trustgate.notary;

import static io.trustgate.notary.RepoBuilder.DAY;
import static io.trustgate.notary.RepoBuilder.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.groups.Tuple.tuple;

import io.trustgate.testing.MutableClock;
import io.trustgate.tuf.ExpiredMetadataException;
import io.trustgate.tuf.HashMismatchException;
import io.trustgate.tuf.LengthMismatchException;
import io.trustgate.tuf.LimitExceededException;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.OversizeMetadataException;
import io.trustgate.tuf.RollbackException;
import io.trustgate.tuf.RootCertificateException;
import io.trustgate.tuf.RootPinException;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.TestKey;
import io.trustgate.tuf.ThresholdNotMetException;
import io.trustgate.tuf.TrustDataException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Notary client update against crafted repositories: every attack is one field changed in a valid repo. */
@DisplayName("Notary client update on crafted metadata")
class NotaryClientTest {

    private static final String GUN = "registry.example.test/team/app";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final String DIGEST = hex('a');
    private static final String OTHER = hex('b');

    private final InMemoryNotaryServer server = new InMemoryNotaryServer();
    private final RepoBuilder repo = new RepoBuilder(GUN, NOW);

    private NotaryClient client(Instant at) {
        return new NotaryClient(server, Clock.fixed(at, ZoneOffset.UTC), Limits.DEFAULT);
    }

    private NotaryClient client(MutableClock clock) {
        return new NotaryClient(server, clock, Limits.DEFAULT);
    }

    private RootPins pins() {
        return RootPins.of(repo.rootKey.publicPem());
    }

    private TrustDataException failure(NotaryClient client) {
        Throwable t = catchThrowable(() -> client.update(GUN, pins()).join());
        assertThat(t).as("update must fail").isInstanceOf(CompletionException.class);
        assertThat(t.getCause()).isInstanceOf(TrustDataException.class);
        return (TrustDataException) t.getCause();
    }

    /** The update succeeds without {@code role}, which is reported rejected with its evidence. */
    private TrustDataException rejected(NotaryClient client, String role) {
        TrustedRepository trusted = client.update(GUN, pins()).join();
        assertThat(trusted.role(role)).as("%s is left out", role).isEmpty();
        assertThat(trusted.role("targets")).as("the other roles still load").isPresent();
        assertThat(trusted.rejectedRoles())
                .singleElement()
                .satisfies(r -> assertThat(r.role()).isEqualTo(role));
        return trusted.rejectedRoles().get(0).error();
    }

    @Test
    @DisplayName(
            "a valid repository resolves a tag through targets/releases before targets, with every expiry reported")
    void validRepository() {
        repo.targets.put("1.0", OTHER);
        repo.delegate("targets/releases", TestKey.ecdsa()).targets.put("1.0", DIGEST);
        repo.publish(server);

        TrustedRepository trusted = client(NOW).update(GUN, pins()).join();

        assertThat(trusted.dockerTarget("1.0")).hasValueSatisfying(t -> {
            assertThat(t.role()).isEqualTo("targets/releases");
            assertThat(t.digest()).isEqualTo("sha256:" + DIGEST);
        });
        assertThat(trusted.targetsForTag("1.0"))
                .extracting(SignedTarget::role)
                .containsExactly("targets", "targets/releases");
        assertThat(trusted.expiries())
                .extracting(RoleExpiry::role)
                .containsExactly(
                        "root", RoleExpiry.ROOT_CERTIFICATE, "timestamp", "snapshot", "targets", "targets/releases");
        assertThat(trusted.earliestExpiry()).isEqualTo(repo.timestampExpires);
    }

    /** The server's answers held back until released: shows what is asked before anything answers. */
    private static final class HeldServer implements TrustDataFetcher {
        private final TrustDataFetcher server;
        private final CompletableFuture<Void> release = new CompletableFuture<>();

        HeldServer(TrustDataFetcher server) {
            this.server = server;
        }

        @Override
        public CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
            CompletableFuture<byte[]> answer = server.fetch(gun, roleFile, maxBytes);
            return release.thenCompose(ignored -> answer);
        }
    }

    /** Answers nothing until told, then everything asked so far: counts an update's round trips. */
    private static final class RoundTripServer implements TrustDataFetcher {
        private final TrustDataFetcher server;
        private final List<Runnable> pending = new ArrayList<>();
        private int largestRound;

        RoundTripServer(TrustDataFetcher server) {
            this.server = server;
        }

        @Override
        public synchronized CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            CompletableFuture<byte[]> served = server.fetch(gun, roleFile, maxBytes);
            pending.add(() -> served.whenComplete((raw, error) -> {
                if (error != null) {
                    answer.completeExceptionally(error);
                } else {
                    answer.complete(raw);
                }
            }));
            return answer;
        }

        /** Answers the requests made so far (not those their answers lead to); returns the rounds until done. */
        int roundTrips(CompletableFuture<?> update) {
            int rounds = 0;
            while (!update.isDone()) {
                List<Runnable> batch;
                synchronized (this) {
                    batch = List.copyOf(pending);
                    pending.clear();
                }
                assertThat(batch)
                        .as("an update waits for nothing it did not ask")
                        .isNotEmpty();
                largestRound = Math.max(largestRound, batch.size());
                batch.forEach(Runnable::run);
                rounds++;
            }
            return rounds;
        }
    }

    @Test
    @DisplayName("first contact with a repository whose targets delegate to two signers: two round trips in all")
    void siblingDelegationsTogether() {
        repo.delegate("targets/releases", TestKey.ecdsa()).targets.put("1.0", DIGEST);
        repo.delegate("targets/alice", TestKey.ecdsa()).targets.put("1.0", DIGEST);
        repo.build().forEach((role, bytes) -> server.put(GUN, role, bytes));
        RoundTripServer roundTrips = new RoundTripServer(server);
        NotaryClient client = new NotaryClient(roundTrips, Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT);

        CompletableFuture<TrustedRepository> update = client.update(GUN, pins());

        assertThat(roundTrips.roundTrips(update))
                .as("root, timestamp, 2.root, snapshot and targets; then both delegations")
                .isEqualTo(2);
        assertThat(update.join().role("targets/alice")).isPresent();
        assertThat(update.join().role("targets/releases")).isPresent();
        assertThat(server.requests()).as("each file asked once").hasSize(7);
    }

    @Test
    @DisplayName("many sibling delegations are requested ahead at most 8 at a time beside the one being verified")
    void siblingDelegationsWindow() {
        for (int i = 0; i < 20; i++) {
            repo.delegate("targets/signer" + i, TestKey.ecdsa()).targets.put("1.0", DIGEST);
        }
        repo.build().forEach((role, bytes) -> server.put(GUN, role, bytes));
        RoundTripServer roundTrips = new RoundTripServer(server);
        NotaryClient client = new NotaryClient(roundTrips, Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT);

        CompletableFuture<TrustedRepository> update = client.update(GUN, pins());

        assertThat(roundTrips.roundTrips(update)).isLessThan(6);
        assertThat(roundTrips.largestRound).isEqualTo(9);
        assertThat(update.join().role("targets/signer19")).isPresent();
        assertThat(server.requests()).as("each file asked once").hasSize(25);
    }

    @Test
    @DisplayName("first contact: root, timestamp, 2.root, snapshot and targets are all requested before any answer")
    void firstContactInOneRoundTrip() {
        repo.targets.put("1.0", DIGEST);
        repo.build().forEach((role, bytes) -> server.put(GUN, role, bytes));
        HeldServer held = new HeldServer(server);
        NotaryClient client = new NotaryClient(held, Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT);

        CompletableFuture<TrustedRepository> update = client.update(GUN, pins());

        assertThat(server.requests())
                .extracting(InMemoryNotaryServer.Request::roleFile)
                .containsExactly("root", "timestamp", "2.root", "snapshot", "targets");
        held.release.complete(null);
        assertThat(update.join().dockerTarget("1.0")).isPresent();
        assertThat(server.requests()).as("nothing is asked twice").hasSize(5);
    }

    @Test
    @DisplayName("a file read early under the general bound is trusted only if it matches its parent byte for byte")
    void earlyCopyMustMatchItsParent() {
        repo.targets.put("1.0", DIGEST);
        Map<String, byte[]> files = repo.build();
        files.forEach((role, bytes) -> server.put(GUN, role, bytes));
        // longer than the timestamp says, well within the 4 MiB the early read allowed
        server.put(GUN, "snapshot", Arrays.copyOf(files.get("snapshot"), files.get("snapshot").length + 1));

        assertThat(failure(client(NOW)))
                .isInstanceOfSatisfying(
                        LengthMismatchException.class, e -> assertThat(e.role()).isEqualTo("snapshot"));
        assertThat(server.requests())
                .as("the first contact's five reads, nothing read again")
                .hasSize(5);
    }

    @Test
    @DisplayName("a prefetch and the review's update of one repository share one update: each file asked once")
    void prefetchSharesTheUpdate() {
        repo.targets.put("1.0", DIGEST);
        repo.build().forEach((role, bytes) -> server.put(GUN, role, bytes));
        HeldServer held = new HeldServer(server);
        NotaryClient client = new NotaryClient(held, Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT);

        client.prefetch(GUN, pins());
        CompletableFuture<TrustedRepository> update = client.update(GUN, pins());
        held.release.complete(null);

        assertThat(update.join().dockerTarget("1.0")).isPresent();
        assertThat(server.requests())
                .extracting(InMemoryNotaryServer.Request::roleFile)
                .containsExactly("root", "timestamp", "2.root", "snapshot", "targets");
        // trusted now: a prefetch asks nothing, and the next update starts afresh from the trusted root
        client.prefetch(GUN, pins());
        assertThat(server.requests()).hasSize(5);
        assertThat(client.update(GUN, pins()).join().dockerTarget("1.0")).isPresent();
        assertThat(server.requests()).hasSize(9);
    }

    @Test
    @DisplayName("a prefetch that completed before its review asked answers the review: the update does not run twice")
    void completedPrefetchAnswersItsReview() {
        repo.targets.put("1.0", DIGEST);
        repo.publish(server);
        MutableClock clock = MutableClock.at(NOW);
        NotaryClient client = client(clock);

        client.prefetch(GUN, pins()); // completes at once: this server answers synchronously
        assertThat(server.requests()).hasSize(5);
        clock.advance(NotaryClient.PREFETCH_CLAIM_WINDOW.dividedBy(2)); // the tag resolved meanwhile

        assertThat(client.update(GUN, pins()).join().dockerTarget("1.0")).isPresent();
        assertThat(server.requests())
                .as("the prefetch's answer, nothing read again")
                .hasSize(5);
        // taken once: the next review's update reads the server again
        assertThat(client.update(GUN, pins()).join().dockerTarget("1.0")).isPresent();
        assertThat(server.requests()).hasSize(9);
    }

    @Test
    @DisplayName("a prefetch older than the claim window does not answer a review: its update reads the server again")
    void stalePrefetchIsNotClaimed() {
        repo.targets.put("1.0", DIGEST);
        repo.publish(server);
        MutableClock clock = MutableClock.at(NOW);
        NotaryClient client = client(clock);

        client.prefetch(GUN, pins());
        clock.advance(NotaryClient.PREFETCH_CLAIM_WINDOW.plusMillis(1));

        assertThat(client.update(GUN, pins()).join().dockerTarget("1.0")).isPresent();
        assertThat(server.requests()).as("a fresh update after the window").hasSize(9);
    }

    @Test
    @DisplayName("prefetches no review takes are bounded in number and swept once older than the claim window")
    void unclaimedPrefetchesAreBounded() {
        MutableClock clock = MutableClock.at(NOW);
        NotaryClient client = client(clock); // the server holds nothing: each prefetch fails at once
        for (int i = 0; i < NotaryClient.MAX_UNCLAIMED_PREFETCHES + 44; i++) {
            client.prefetch("registry.example.test/team/app-" + i, pins());
        }
        assertThat(client.unclaimedPrefetches()).isEqualTo(NotaryClient.MAX_UNCLAIMED_PREFETCHES);

        clock.advance(NotaryClient.PREFETCH_CLAIM_WINDOW.plusMillis(1));
        client.prefetch("registry.example.test/team/late", pins());
        assertThat(client.unclaimedPrefetches())
                .as("the stale ones swept, the new one kept")
                .isEqualTo(1);
    }

    @Test
    @DisplayName(
            "a second prefetch of a repository does not renew the first: a failed answer is not kept past its window")
    void prefetchAgainDoesNotRenewTheWindow() {
        MutableClock clock = MutableClock.at(NOW);
        NotaryClient client = client(clock);
        client.prefetch(GUN, pins()); // the server holds nothing yet: fails at once, root not found
        clock.advance(NotaryClient.PREFETCH_CLAIM_WINDOW.multipliedBy(3).dividedBy(4));
        client.prefetch(GUN, pins()); // another review of the same new repository
        repo.targets.put("1.0", DIGEST);
        repo.publish(server); // published meanwhile
        clock.advance(NotaryClient.PREFETCH_CLAIM_WINDOW.dividedBy(2)); // the first prefetch is past its window

        assertThat(client.update(GUN, pins()).join().dockerTarget("1.0"))
                .as("a fresh update, not the first prefetch's failure")
                .isPresent();
    }

    @Test
    @DisplayName("forgetting a repository drops its unclaimed prefetch: the review after a denial reads afresh")
    void forgetDropsThePrefetch() {
        repo.targets.put("1.0", DIGEST);
        repo.publish(server);
        NotaryClient client = client(NOW);

        client.prefetch(GUN, pins());
        client.forget(GUN);

        assertThat(client.update(GUN, pins()).join().dockerTarget("1.0")).isPresent();
        assertThat(server.requests()).hasSize(9);
    }

    @Test
    @DisplayName("a prefetch whose timestamp is missing fails the review's update naming the timestamp")
    void prefetchFailureReachesTheReview() {
        repo.targets.put("1.0", DIGEST);
        repo.build().forEach((role, bytes) -> server.put(GUN, role, bytes));
        server.remove(GUN, "timestamp");
        NotaryClient client = client(NOW);

        client.prefetch(GUN, pins());
        Throwable error = catchThrowable(() -> client.update(GUN, pins()).join());

        assertThat(error).isInstanceOf(CompletionException.class);
        assertThat(error.getCause())
                .isInstanceOf(TrustDataNotFoundException.class)
                .hasMessageContaining("timestamp.json");
    }

    @Test
    @DisplayName("the snapshot and each role are fetched with the length their parent commits to as the limit")
    void fetchLimitsComeFromParents() {
        repo.delegate("targets/releases", TestKey.ecdsa()).targets.put("1.0", DIGEST);
        Map<String, byte[]> files = repo.build();
        files.forEach((role, bytes) -> server.put(GUN, role, bytes));
        NotaryClient client = client(NOW);
        long general = Limits.DEFAULT.maxMetadataBytes();

        client.update(GUN, pins()).join();
        // first contact: what follows the root is read with it, bounded by the general limit (TUF 5.5.1, 5.6.1),
        // except a delegation, whose name only the verified targets give
        assertThat(server.requests())
                .extracting(InMemoryNotaryServer.Request::roleFile, InMemoryNotaryServer.Request::maxBytes)
                .containsExactly(
                        tuple("root", general),
                        tuple("timestamp", general),
                        tuple("2.root", general),
                        tuple("snapshot", general),
                        tuple("targets", general),
                        tuple("targets/releases", (long) files.get("targets/releases").length));

        client.update(GUN, pins()).join();
        // from the trusted root on, each file is bounded by the length its (verified) parent gives
        assertThat(server.requests().subList(6, server.requests().size()))
                .extracting(InMemoryNotaryServer.Request::roleFile, InMemoryNotaryServer.Request::maxBytes)
                .containsExactly(
                        tuple("timestamp", general),
                        tuple("2.root", general),
                        tuple("snapshot", (long) files.get("snapshot").length),
                        tuple("targets", (long) files.get("targets").length),
                        tuple("targets/releases", (long) files.get("targets/releases").length));
    }

    @Test
    @DisplayName("an expired timestamp is rejected at the pinned clock's time, naming role and expiry")
    void expiredTimestamp() {
        repo.publish(server);
        Instant later = repo.timestampExpires.plusSeconds(1);
        assertThat(failure(client(later))).isInstanceOfSatisfying(ExpiredMetadataException.class, e -> {
            assertThat(e.role()).isEqualTo("timestamp");
            assertThat(e.expires()).isEqualTo(repo.timestampExpires);
            assertThat(e.referenceTime()).isEqualTo(later);
        });
    }

    @Test
    @DisplayName("an expired snapshot is rejected even when the timestamp is fresh")
    void expiredSnapshot() {
        repo.snapshotExpires = NOW.minusSeconds(1);
        repo.publish(server);
        assertThat(failure(client(NOW)))
                .isInstanceOfSatisfying(
                        ExpiredMetadataException.class,
                        e -> assertThat(e.role()).isEqualTo("snapshot"));
    }

    @Test
    @DisplayName("an expired delegation is left out of the update with the expiry as evidence; the rest loads")
    void expiredDelegation() {
        RepoBuilder.Delegation releases = repo.delegate("targets/releases", TestKey.ecdsa());
        releases.targets.put("1.0", DIGEST);
        releases.expires = NOW.minus(DAY);
        repo.publish(server);
        assertThat(rejected(client(NOW), "targets/releases"))
                .isInstanceOfSatisfying(ExpiredMetadataException.class, e -> {
                    assertThat(e.role()).isEqualTo("targets/releases");
                    assertThat(e.expires()).isEqualTo(NOW.minus(DAY));
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"timestamp", "snapshot", "targets", "targets/releases"})
    @DisplayName("a role served at a lower version than this process already trusted is a rollback")
    void rollbackOfEachRole(String role) {
        repo.delegate("targets/releases", TestKey.ecdsa()).targets.put("1.0", DIGEST);
        repo.timestampVersion = 5;
        repo.snapshotVersion = 5;
        repo.targetsVersion = 5;
        repo.delegations.get(0).version = 5;
        repo.publish(server);
        NotaryClient client = client(NOW);
        client.update(GUN, pins()).join();

        repo.timestampVersion = 6;
        repo.snapshotVersion = 6;
        repo.targetsVersion = 6;
        repo.delegations.get(0).version = 6;
        switch (role) {
            case "timestamp" -> repo.timestampVersion = 4;
            case "snapshot" -> repo.snapshotVersion = 4;
            case "targets" -> repo.targetsVersion = 4;
            default -> repo.delegations.get(0).version = 4;
        }
        repo.publish(server);

        // a rolled-back delegation is left out (its signatures stop counting); any other role fails the update
        TrustDataException error = role.startsWith("targets/") ? rejected(client, role) : failure(client);
        assertThat(error).isInstanceOfSatisfying(RollbackException.class, e -> {
            assertThat(e.role()).isEqualTo(role);
            assertThat(e.trustedVersion()).isEqualTo(5);
            assertThat(e.newVersion()).isEqualTo(4);
        });
    }

    @Test
    @DisplayName("a root older than the highest root version seen is a rollback")
    void rootRollback() {
        repo.rootVersion = 1;
        repo.publish(server);
        TrustedVersions versions = new TrustedVersions();
        versions.record(GUN, "root", 2);
        NotaryClient client = new NotaryClient(server, Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT, versions);
        assertThat(failure(client))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.role()).isEqualTo("root"));
    }

    @Test
    @DisplayName("a snapshot from another state (mix-and-match) does not match the timestamp's hashes")
    void snapshotMixAndMatch() {
        repo.targets.put("1.0", DIGEST);
        Map<String, byte[]> old = repo.build();
        repo.snapshotVersion = 2;
        repo.timestampVersion = 2;
        repo.targets.put("1.0", OTHER);
        repo.targetsVersion = 2;
        repo.publish(server);
        server.put(GUN, "snapshot", old.get("snapshot"));

        TrustDataException e = failure(client(NOW));
        assertThat(e).isInstanceOfAny(HashMismatchException.class, LengthMismatchException.class);
        assertThat(e.role()).isEqualTo("snapshot");
    }

    @Test
    @DisplayName("a snapshot with the right length but other bytes fails on the hash")
    void snapshotSameLengthOtherBytes() {
        repo.publish(server);
        byte[] snapshot = repo.build().get("snapshot"); // re-signed: same length, other signature bytes
        Map<String, byte[]> files = repo.build();
        server.put(GUN, "timestamp", files.get("timestamp"));
        server.put(GUN, "snapshot", snapshot);
        assertThat(failure(client(NOW))).isInstanceOfSatisfying(HashMismatchException.class, e -> {
            assertThat(e.role()).isEqualTo("snapshot");
            assertThat(e.expectedHex()).isNotEqualTo(e.actualHex());
        });
    }

    @Test
    @DisplayName("targets signed by one of two keys with threshold 2 is rejected, listing the valid key")
    void thresholdNotMet() {
        TestKey first = TestKey.ecdsa();
        repo.targetsKeys = List.of(first, TestKey.ecdsa());
        repo.targetsThreshold = 2;
        repo.targetsSigners = List.of(first);
        repo.publish(server);
        assertThat(failure(client(NOW))).isInstanceOfSatisfying(ThresholdNotMetException.class, e -> {
            assertThat(e.role()).isEqualTo("targets");
            assertThat(e.threshold()).isEqualTo(2);
            assertThat(e.validKeyIds()).containsExactly(first.id());
        });
    }

    @Test
    @DisplayName("the same key signing twice counts once towards the threshold")
    void duplicateSignaturesCountOnce() {
        TestKey first = TestKey.ecdsa();
        repo.targetsKeys = List.of(first, TestKey.ecdsa());
        repo.targetsThreshold = 2;
        repo.targetsSigners = List.of(first, first);
        repo.publish(server);
        assertThat(failure(client(NOW)))
                .isInstanceOfSatisfying(
                        ThresholdNotMetException.class,
                        e -> assertThat(e.validKeyIds()).containsExactly(first.id()));
    }

    @Test
    @DisplayName("a signature by a key that is not a key of the role does not count")
    void signatureByForeignKey() {
        repo.targetsSigners = List.of(repo.snapshotKey);
        repo.publish(server);
        assertThat(failure(client(NOW))).isInstanceOfSatisfying(ThresholdNotMetException.class, e -> {
            assertThat(e.role()).isEqualTo("targets");
            assertThat(e.rejected()).singleElement().satisfies(r -> {
                assertThat(r.keyId()).isEqualTo(repo.snapshotKey.id());
                assertThat(r.reason()).contains("not a key of targets");
            });
        });
    }

    @Test
    @DisplayName("a signature whose method does not match the key type is rejected (no algorithm choice by the signer)")
    void methodNotMatchingKeyType() {
        repo.methodOverride.put("targets", "rsapss");
        repo.publish(server);
        assertThat(failure(client(NOW)))
                .isInstanceOfSatisfying(
                        ThresholdNotMetException.class,
                        e -> assertThat(e.rejected()).singleElement().satisfies(r -> {
                            assertThat(r.method()).isEqualTo("rsapss");
                            assertThat(r.reason()).contains("not allowed for a ecdsa key");
                        }));
    }

    @Test
    @DisplayName("ed25519, ecdsa and rsa (rsapss) keys all verify")
    void everyKeyType() {
        repo.targetsKeys = List.of(TestKey.rsa());
        repo.targetsSigners = repo.targetsKeys;
        repo.delegate("targets/releases", TestKey.ed25519()).targets.put("1.0", DIGEST);
        repo.publish(server);
        TrustedRepository trusted = client(NOW).update(GUN, pins()).join();
        assertThat(trusted.role("targets").orElseThrow().signingKeys())
                .extracting(k -> k.keyType())
                .containsExactly("rsa");
        assertThat(trusted.dockerTarget("1.0")).isPresent();
    }

    @Test
    @DisplayName("a file larger than the size limit is refused before it is parsed")
    void oversizeFile() {
        repo.publish(server);
        long limit = 512;
        NotaryClient client = new NotaryClient(
                server,
                Clock.fixed(NOW, ZoneOffset.UTC),
                new Limits(limit, Limits.DEFAULT.maxDelegations(), Limits.DEFAULT.maxRootRotations()));
        assertThat(failure(client)).isInstanceOfSatisfying(OversizeMetadataException.class, e -> {
            assertThat(e.role()).isEqualTo("root");
            assertThat(e.maxBytes()).isEqualTo(limit);
        });
    }

    @Test
    @DisplayName("a delegation listing a target outside its paths does not sign it")
    void delegationOutsideItsPaths() {
        TestKey releaseKey = TestKey.ecdsa();
        RepoBuilder.Delegation releases = repo.delegate("targets/releases", releaseKey);
        releases.paths = List.of("v1.");
        releases.targets.put("v1.0", DIGEST);
        releases.targets.put("latest", DIGEST);
        repo.publish(server);

        TrustedRepository trusted = client(NOW).update(GUN, pins()).join();

        assertThat(trusted.targetsForTag("v1.0")).extracting(SignedTarget::role).containsExactly("targets/releases");
        assertThat(trusted.targetsForTag("latest")).isEmpty();
        NotarySigner signer = new NotarySigner("release-team", List.of(releaseKey.publicPem()), List.of());
        assertThat(NotarySignatures.evaluate(trusted, "latest", "sha256:" + DIGEST, List.of(signer))
                        .signers())
                .isEmpty();
        assertThat(NotarySignatures.evaluate(trusted, "v1.0", "sha256:" + DIGEST, List.of(signer))
                        .signers())
                .containsExactly("release-team");
    }

    @Test
    @DisplayName("a delegation the snapshot lists but the server withholds is left out with the evidence")
    void withheldDelegation() {
        repo.delegate("targets/releases", TestKey.ecdsa()).targets.put("1.0", DIGEST);
        repo.publish(server);
        server.remove(GUN, "targets/releases");
        assertThat(rejected(client(NOW), "targets/releases"))
                .isInstanceOfSatisfying(
                        TrustDataNotFoundException.class,
                        e -> assertThat(e.role()).isEqualTo("targets/releases"));
    }

    @Test
    @DisplayName("root rotation: 2.root signed by the old and the new root keys becomes the trusted root")
    void rootRotation() {
        repo.targets.put("1.0", DIGEST);
        repo.publish(server);
        RootPins pins = pins();
        NotaryClient client = client(NOW);
        client.update(GUN, pins).join();

        TestKey oldKey = repo.rootKey;
        TestKey newKey = TestKey.rootCertificate(GUN, NOW.minus(DAY), NOW.plus(DAY.multipliedBy(3650)));
        repo.rootKey = newKey;
        repo.rootKeys = List.of(newKey);
        repo.rootSigners = List.of(oldKey, newKey);
        repo.rootVersion = 2;
        repo.timestampVersion = 2;
        repo.snapshotVersion = 2;
        repo.publish(server);
        server.put(GUN, "2.root", repo.root());

        TrustedRepository trusted = client.update(GUN, pins).join();

        assertThat(trusted.dockerTarget("1.0")).isPresent();
        assertThat(server.requests())
                .extracting(InMemoryNotaryServer.Request::roleFile)
                .contains("2.root", "3.root");
    }

    @Test
    @DisplayName("root rotation not signed by the old root's threshold is rejected")
    void rootRotationWithoutOldSignature() {
        repo.publish(server);
        RootPins pins = pins();
        TestKey newKey = TestKey.rootCertificate(GUN, NOW.minus(DAY), NOW.plus(DAY.multipliedBy(3650)));
        repo.rootKey = newKey;
        repo.rootKeys = List.of(newKey);
        repo.rootSigners = List.of(newKey);
        repo.rootVersion = 2;
        server.put(GUN, "2.root", repo.root());

        Throwable t = catchThrowable(() -> client(NOW).update(GUN, pins).join());
        assertThat(t.getCause()).isInstanceOfSatisfying(ThresholdNotMetException.class, e -> {
            assertThat(e.role()).isEqualTo("root");
            assertThat(e.validKeyIds()).isEmpty();
        });
    }

    @Test
    @DisplayName("root rotations beyond the limit are refused")
    void tooManyRotations() {
        repo.publish(server);
        RootPins pins = pins();
        TestKey previous = repo.rootKey;
        for (int v = 2; v <= 3; v++) {
            TestKey next = TestKey.rootCertificate(GUN, NOW.minus(DAY), NOW.plus(DAY));
            repo.rootKeys = List.of(next);
            repo.rootSigners = List.of(previous, next);
            repo.rootVersion = v;
            server.put(GUN, v + ".root", repo.root());
            previous = next;
        }
        NotaryClient client = new NotaryClient(
                server,
                Clock.fixed(NOW, ZoneOffset.UTC),
                new Limits(Limits.DEFAULT.maxMetadataBytes(), Limits.DEFAULT.maxDelegations(), 1));
        Throwable t = catchThrowable(() -> client.update(GUN, pins).join());
        assertThat(t.getCause())
                .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        e -> assertThat(e.maximum()).isEqualTo(1));
    }

    @Test
    @DisplayName("a root signed by a key the policy did not pin is rejected, naming pins and root keys")
    void unpinnedRoot() {
        repo.publish(server);
        TestKey stranger = TestKey.ecdsa();
        Throwable t = catchThrowable(
                () -> client(NOW).update(GUN, RootPins.of(stranger.publicPem())).join());
        assertThat(t.getCause()).isInstanceOfSatisfying(RootPinException.class, e -> {
            assertThat(e.gun()).isEqualTo(GUN);
            assertThat(e.rootKeyIds()).containsExactly(repo.rootKey.id());
        });
    }

    @Test
    @DisplayName("the root can be pinned by its certificate, its x509 key id or its canonical key id")
    void pinForms() {
        repo.publish(server);
        String canonicalId = io.trustgate.tuf.TufKey.keyIdOf(
                "ecdsa",
                java.util.Base64.getEncoder()
                        .encodeToString(repo.rootKey.pair().getPublic().getEncoded()));
        for (String pin : List.of(repo.rootKey.certificatePem(), repo.rootKey.id(), canonicalId)) {
            assertThat(client(NOW).update(GUN, RootPins.of(pin)).join().gun()).isEqualTo(GUN);
        }
    }

    @Test
    @DisplayName("a root certificate that is not yet valid at the reference time is rejected")
    void rootCertificateNotYetValid() {
        repo.rootKey = TestKey.rootCertificate(GUN, NOW.plus(DAY), NOW.plus(DAY.multipliedBy(2)));
        repo.rootKeys = List.of(repo.rootKey);
        repo.rootSigners = repo.rootKeys;
        repo.publish(server);
        assertThat(failure(client(NOW)))
                .isInstanceOfSatisfying(
                        RootCertificateException.class,
                        e -> assertThat(e.problemsByKeyId()).containsKey(repo.rootKey.id()));
    }

    @Test
    @DisplayName("a pinned root key whose certificate expired is reported as pinned but unusable")
    void pinnedKeyWithExpiredCertificate() {
        TestKey expired = TestKey.rootCertificate(GUN, NOW.minus(DAY.multipliedBy(10)), NOW.minus(DAY));
        TestKey valid = TestKey.rootCertificate(GUN, NOW.minus(DAY), NOW.plus(DAY));
        repo.rootKeys = List.of(expired, valid);
        repo.rootSigners = repo.rootKeys;
        repo.publish(server);
        Throwable t = catchThrowable(
                () -> client(NOW).update(GUN, RootPins.of(expired.publicPem())).join());
        assertThat(t.getCause())
                .isInstanceOfSatisfying(
                        RootPinException.class,
                        e -> assertThat(e)
                                .hasMessageContaining(expired.id())
                                .hasMessageContaining("certificate expired at"));
    }

    @Test
    @DisplayName(
            "the root trusted in an earlier update is checked again: its certificate expired since, so it is refused")
    void trustedRootIsCheckedAgainAtTheFinalRoot() {
        repo.rootKey = TestKey.rootCertificate(GUN, NOW.minus(DAY), NOW.plus(DAY.multipliedBy(2)));
        repo.rootKeys = List.of(repo.rootKey);
        repo.rootSigners = repo.rootKeys;
        repo.targets.put("1.0", DIGEST);
        repo.publish(server);
        MutableClock clock = MutableClock.at(NOW);
        NotaryClient client = client(clock);
        assertThat(client.update(GUN, pins()).join().dockerTarget("1.0")).isPresent();

        clock.advance(DAY.multipliedBy(3)); // the timestamp (14 days) and root.json are still valid
        assertThat(failure(client))
                .isInstanceOfSatisfying(
                        RootCertificateException.class,
                        e -> assertThat(e.problemsByKeyId()).containsKey(repo.rootKey.id()));
    }

    @Test
    @DisplayName("a second update in the same process remembers versions: an older state served later is a rollback")
    void versionsRememberedAcrossUpdates() {
        repo.targets.put("1.0", DIGEST);
        Map<String, byte[]> old = repo.build();
        repo.timestampVersion = 2;
        repo.snapshotVersion = 2;
        repo.targetsVersion = 2;
        repo.publish(server);
        NotaryClient client = client(NOW);
        client.update(GUN, pins()).join();

        old.forEach((role, bytes) -> server.put(GUN, role, bytes));
        assertThat(failure(client))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.role()).isEqualTo("timestamp"));
    }
}
