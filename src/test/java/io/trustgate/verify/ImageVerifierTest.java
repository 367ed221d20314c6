package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.cache.CacheSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.ManifestNotFoundException;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryUnavailableException;
import io.trustgate.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The orchestration of one image check, with in-memory registry and signature sources: which upstreams are
 * asked, how findings combine, and which verdicts are reused (keyed by policy version, key fingerprint and
 * digest; denials briefly; stale-if-error only for the same digest). Cache lifetimes against the caching
 * registry client are in {@code CacheBehaviourTest}, 200-way single flight in {@code SingleFlightTest}.
 */
class ImageVerifierTest {

    private static final String DIGEST_A = "sha256:" + "a".repeat(64);
    private static final String DIGEST_B = "sha256:" + "b".repeat(64);
    private static final CacheSettings SETTINGS = new CacheSettings(
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            1000,
            Duration.ofSeconds(20));

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-23T12:00:00Z"));
    private final AtomicInteger resolves = new AtomicInteger();
    private volatile String registryDigest = DIGEST_A;
    private volatile RuntimeException registryFailure;

    private final RegistryClient registry = (ref, creds) -> {
        resolves.incrementAndGet();
        if (registryFailure != null) {
            return CompletableFuture.failedFuture(registryFailure);
        }
        return CompletableFuture.completedFuture(new ManifestDescriptor(registryDigest, null, -1));
    };

    /** A signature source answering with a fixed set of signers, recording what it was asked. */
    private static final class Source implements SignatureSource {
        final String name;
        final Predicate<Policy> applies;
        final List<String> collected = new CopyOnWriteArrayList<>();
        final List<String> forgotten = new CopyOnWriteArrayList<>();
        final List<String> prefetched = new CopyOnWriteArrayList<>();
        volatile Set<String> signers;
        volatile SourceFindings failure;
        volatile CompletableFuture<SourceFindings> pending;

        Source(String name, Predicate<Policy> applies, String... signers) {
            this.name = name;
            this.applies = applies;
            this.signers = Set.of(signers);
        }

        @Override
        public boolean appliesTo(Policy policy) {
            return applies.test(policy);
        }

        @Override
        public String describe(Policy policy) {
            return name;
        }

        @Override
        public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
            collected.add(image + " " + digest + " " + policy.resourceVersion());
            if (pending != null) {
                return pending;
            }
            if (failure != null) {
                return CompletableFuture.completedFuture(failure);
            }
            return CompletableFuture.completedFuture(new SourceFindings(
                    signers.stream()
                            .sorted()
                            .map(s -> new SignerEvidence(s, name, "key-" + s))
                            .toList(),
                    List.of(),
                    List.of(),
                    null));
        }

        @Override
        public void forget(ImageReference image, String digest, Policy policy) {
            forgotten.add(image + " " + digest);
        }

        @Override
        public void prefetch(ImageReference image, Policy policy) {
            prefetched.add(image + " " + policy.resourceVersion());
        }
    }

    private static Policy policy(String uid, String resourceVersion, String key, int min, String... signers)
            throws Exception {
        return Policy.builder(PolicyId.cluster(uid), uid, resourceVersion)
                .images(List.of(ImagePattern.compile("r.example.com/**")))
                .signers(List.of(signers).stream()
                        .map(s -> Signer.builder(s).keys(List.of(key)).build())
                        .toList())
                .minSignatures(min)
                .build();
    }

    private static Policy policy(String resourceVersion, String key) throws Exception {
        return policy("p", resourceVersion, key, 1, "alice");
    }

    private ImageVerifier verifier(SignatureSource... sources) {
        return new ImageVerifier(registry, List.of(sources), clock, SETTINGS);
    }

    private static ImageVerdict check(ImageVerifier verifier, String image, Policy... policies) throws Exception {
        return verifier.verify(ImageReference.parse(image), List.of(policies), RegistryCredentials.ANONYMOUS)
                .join();
    }

    @Test
    @DisplayName("a review by tag lets each applicable source start its reads before the tag resolves; by digest it"
            + " does not; a tag the registry cannot resolve is still denied naming the registry")
    void prefetchOverlapsTheTag() throws Exception {
        Source notary = new Source("notary", p -> true, "alice");
        Source other = new Source("other", p -> false, "alice");
        ImageVerifier verifier = verifier(notary, other);
        Policy p = policy("1", "k");

        assertThat(check(verifier, "r.example.com/app:1", p).verdicts().get(0).satisfied())
                .isTrue();
        assertThat(notary.prefetched).containsExactly("r.example.com/app:1 1");
        assertThat(other.prefetched).isEmpty();

        check(verifier, "r.example.com/app@" + DIGEST_A, p);
        assertThat(notary.prefetched).hasSize(1);

        registryFailure = unavailable();
        ImageVerdict denied = check(verifier, "r.example.com/new:1", p);
        assertThat(notary.prefetched).hasSize(2);
        assertThat(denied.verdicts().get(0).satisfied()).isFalse();
        assertThat(denied.verdicts().get(0).findings().problems())
                .singleElement()
                .asString()
                .startsWith("could not resolve the tag at the registry: ");
    }

    private static RegistryUnavailableException unavailable() {
        return new RegistryUnavailableException(
                "connection refused",
                "r.example.com",
                "r.example.com/app",
                "r.example.com/app:1",
                0,
                "check the registry");
    }

    @Test
    @DisplayName("an image by digest is checked at that digest without asking the registry")
    void digestReference() throws Exception {
        Source source = new Source("lookaside", p -> true, "alice");
        ImageVerdict verdict = check(verifier(source), "r.example.com/app@" + DIGEST_B, policy("1", "k"));

        assertThat(resolves).hasValue(0);
        assertThat(verdict.digest()).isEqualTo(DIGEST_B);
        assertThat(verdict.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.satisfied()).isTrue();
            assertThat(v.digest()).isEqualTo(DIGEST_B);
        });
        assertThat(source.collected).containsExactly("r.example.com/app@" + DIGEST_B + " " + DIGEST_B + " 1");
    }

    @Test
    @DisplayName("the signers of every source that applies count together; a source that does not apply is not asked")
    void sourcesCombine() throws Exception {
        Source lookaside = new Source("lookaside", p -> true, "alice");
        Source notary = new Source("notary", p -> true, "bob");
        Source other = new Source("other", p -> false, "carol");
        Policy both = policy("p", "1", "k", 2, "alice", "bob", "carol");

        PolicyVerdict verdict = check(verifier(lookaside, notary, other), "r.example.com/app:1", both)
                .verdicts()
                .get(0);

        assertThat(verdict.satisfied()).isTrue();
        assertThat(verdict.outcome().found()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(verdict.findings().found())
                .extracting(SignerEvidence::signer)
                .containsExactly("alice", "bob");
        assertThat(other.collected).isEmpty();
        assertThat(lookaside.collected).containsExactly("r.example.com/app:1 " + DIGEST_A + " 1");
    }

    @Test
    @DisplayName("a source that fails becomes a problem in the verdict, and a policy no source serves says so")
    void failingAndMissingSources() throws Exception {
        SignatureSource broken = new SignatureSource() {
            @Override
            public boolean appliesTo(Policy policy) {
                return true;
            }

            @Override
            public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
                return CompletableFuture.failedFuture(new IllegalStateException("lookaside answered garbage"));
            }
        };
        PolicyVerdict failed = check(verifier(broken), "r.example.com/app:1", policy("1", "k"))
                .verdicts()
                .get(0);
        assertThat(failed.satisfied()).isFalse();
        assertThat(failed.findings().problems()).containsExactly("lookaside answered garbage");
        assertThat(failed.findings().unavailable()).isFalse();

        PolicyVerdict none = check(verifier(new Source("x", p -> false)), "r.example.com/app:1", policy("1", "k"))
                .verdicts()
                .get(0);
        assertThat(none.satisfied()).isFalse();
        assertThat(none.outcome().missing()).containsExactly("alice");
        assertThat(none.findings().problems())
                .containsExactly("the policy names no signature source (set notary or lookaside)");
    }

    @Test
    @DisplayName("a verdict is reused for the same policy version, keys and digest; new keys or digests are checked")
    void verdictKey() throws Exception {
        Source source = new Source("lookaside", p -> true, "alice");
        ImageVerifier verifier = verifier(source);

        check(verifier, "r.example.com/app:1", policy("1", "k1"));
        check(verifier, "r.example.com/app:1", policy("1", "k1"));
        assertThat(source.collected).as("same version, keys and digest").hasSize(1);

        // A keysFrom Secret rotated: same uid and resourceVersion, other key material.
        source.signers = Set.of();
        ImageVerdict rotated = check(verifier, "r.example.com/app:1", policy("1", "k2"));
        assertThat(source.collected).hasSize(2);
        assertThat(rotated.verdicts().get(0).satisfied())
                .as("never the verdict of the old keys")
                .isFalse();

        source.signers = Set.of("alice");
        registryDigest = DIGEST_B; // the tag moved
        ImageVerdict moved = check(verifier, "r.example.com/app:1", policy("1", "k1"));
        assertThat(moved.digest()).isEqualTo(DIGEST_B);
        assertThat(source.collected).hasSize(3).last().asString().contains(DIGEST_B);
    }

    @Test
    @DisplayName("a denial lives the denial TTL; then the source forgets the digest and a new signature counts")
    void denialTtl() throws Exception {
        Source source = new Source("lookaside", p -> true);
        ImageVerifier verifier = verifier(source);
        Policy p = policy("1", "k");

        assertThat(check(verifier, "r.example.com/app:1", p).verdicts().get(0).satisfied())
                .isFalse();
        source.signers = Set.of("alice"); // signed after the rejection
        clock.advance(SETTINGS.denialTtl().minusSeconds(1));
        assertThat(check(verifier, "r.example.com/app:1", p).verdicts().get(0).satisfied())
                .as("denial cached")
                .isFalse();
        assertThat(source.collected).hasSize(1);
        assertThat(source.forgotten).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        assertThat(check(verifier, "r.example.com/app:1", p).verdicts().get(0).satisfied())
                .isTrue();
        assertThat(source.collected).hasSize(2);
        assertThat(source.forgotten).containsExactly("r.example.com/app:1 " + DIGEST_A);

        clock.advance(SETTINGS.verdictTtl().plusSeconds(1));
        check(verifier, "r.example.com/app:1", p);
        assertThat(source.forgotten)
                .as("a verdict that admitted is not a denial to forget")
                .hasSize(1);
    }

    @Test
    @DisplayName("a registry that answers 'not found' is no reason to serve an old verdict: the image fails with it")
    void notFoundIsNotStale() throws Exception {
        Source source = new Source("lookaside", p -> true, "alice");
        ImageVerifier verifier = verifier(source);
        Policy p = policy("1", "k");
        assertThat(check(verifier, "r.example.com/app:1", p).verdicts().get(0).satisfied())
                .isTrue();

        registryFailure = new ManifestNotFoundException(
                "manifest unknown", "r.example.com", "r.example.com/app", "1", 404, "push the tag");
        ImageVerdict gone = check(verifier, "r.example.com/app:1", p);

        assertThat(gone.pinRequired()).isFalse();
        assertThat(gone.digest()).isNull();
        assertThat(gone.resolutionError()).contains("manifest unknown");
        PolicyVerdict v = gone.verdicts().get(0);
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().unavailable()).isFalse();
        assertThat(v.findings().problems())
                .singleElement()
                .asString()
                .startsWith("could not resolve the tag at the registry: ")
                .contains("manifest unknown");
    }

    @Test
    @DisplayName("an unreachable registry pins the tag to its last good digest only when every policy agrees on it")
    void pinOnlyOnOneDigest() throws Exception {
        Source source = new Source("lookaside", p -> true, "alice");
        ImageVerifier verifier = verifier(source);
        Policy first = policy("first", "1", "k", 1, "alice");
        Policy second = policy("second", "1", "k", 1, "alice");
        check(verifier, "r.example.com/app:1", first);
        registryDigest = DIGEST_B;
        check(verifier, "r.example.com/app:1", second);

        registryFailure = unavailable();
        ImageVerdict pinned = check(verifier, "r.example.com/app:1", first);
        assertThat(pinned.pinRequired()).isTrue();
        assertThat(pinned.digest()).isEqualTo(DIGEST_A);
        assertThat(pinned.verdicts().get(0).satisfied()).isTrue();
        assertThat(pinned.verdicts().get(0).findings().warnings())
                .singleElement()
                .asString()
                .contains("(" + DIGEST_A + ") admitted on the verdict of 2026-11-23T12:00:00Z")
                .contains("could not resolve the tag at the registry");

        ImageVerdict disagree = check(verifier, "r.example.com/app:1", first, second);
        assertThat(disagree.pinRequired()).isFalse();
        assertThat(disagree.digest()).isNull();
        assertThat(disagree.verdicts()).allSatisfy(v -> {
            assertThat(v.satisfied()).isFalse();
            assertThat(v.findings().unavailable()).isTrue();
        });
    }

    @Test
    @DisplayName("with stale-if-error off, an upstream failure after a good verdict is a failure")
    void staleIfErrorOff() throws Exception {
        Source source = new Source("lookaside", p -> true, "alice");
        ImageVerifier verifier = new ImageVerifier(
                registry,
                List.of(source),
                clock,
                new CacheSettings(
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(10),
                        Duration.ZERO,
                        1000,
                        Duration.ofSeconds(20)));
        Policy p = policy("1", "k");
        assertThat(check(verifier, "r.example.com/app:1", p).verdicts().get(0).satisfied())
                .isTrue();
        clock.advance(Duration.ofMinutes(6));
        source.failure = SourceFindings.unavailable("lookaside: connection refused");

        PolicyVerdict v = check(verifier, "r.example.com/app:1", p).verdicts().get(0);

        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems()).containsExactly("lookaside: connection refused");
        assertThat(v.findings().warnings()).isEmpty();
    }

    @Test
    @DisplayName("a check out of time names what did not answer, and reuses a good verdict of that digest only")
    void timedOut() throws Exception {
        Source source = new Source("notary https://notary.example.com", p -> true, "alice");
        ImageVerifier verifier = verifier(source);
        Policy p = policy("1", "k");
        ImageReference image = ImageReference.parse("r.example.com/app:1");

        CompletableFuture<ManifestDescriptor> never = new CompletableFuture<>();
        Progress resolving = new Progress();
        CompletableFuture<ImageVerdict> stuck = new ImageVerifier(
                        (ref, creds) -> never, List.of(source), clock, SETTINGS)
                .verify(image, List.of(p), RegistryCredentials.ANONYMOUS, resolving);
        assertThat(stuck).isNotDone();
        ImageVerdict unresolved = verifier.timedOut(image, List.of(p), resolving, Duration.ofMillis(2500));
        assertThat(unresolved.digest()).isNull();
        assertThat(unresolved.resolutionError())
                .isEqualTo("no answer within 2.5 s from registry r.example.com (resolving r.example.com/app:1)");
        assertThat(unresolved.verdicts().get(0).findings().unavailable()).isTrue();

        source.pending = new CompletableFuture<>();
        Progress collecting = new Progress();
        assertThat(verifier.verify(image, List.of(p), RegistryCredentials.ANONYMOUS, collecting))
                .isNotDone();
        assertThat(collecting.resolvedDigest()).isEqualTo(DIGEST_A);
        PolicyVerdict slow = verifier.timedOut(image, List.of(p), collecting, Duration.ofSeconds(3))
                .verdicts()
                .get(0);
        assertThat(slow.satisfied()).isFalse();
        assertThat(slow.findings().problems())
                .containsExactly("no answer within 3.0 s from notary https://notary.example.com");

        source.pending.complete(
                new SourceFindings(List.of(new SignerEvidence("alice", "notary", "k")), List.of(), List.of(), null));
        source.pending = new CompletableFuture<>();
        clock.advance(SETTINGS.verdictTtl().plusSeconds(1));
        Progress again = new Progress();
        assertThat(verifier.verify(image, List.of(p), RegistryCredentials.ANONYMOUS, again))
                .isNotDone();
        ImageVerdict served = verifier.timedOut(image, List.of(p), again, Duration.ofSeconds(3));
        assertThat(served.digest()).isEqualTo(DIGEST_A);
        assertThat(served.pinRequired()).isFalse();
        assertThat(served.verdicts().get(0).satisfied())
                .as("the last good verdict of this very digest")
                .isTrue();

        registryDigest = DIGEST_B;
        Progress moved = new Progress();
        assertThat(verifier.verify(image, List.of(p), RegistryCredentials.ANONYMOUS, moved))
                .isNotDone();
        assertThat(verifier.timedOut(image, List.of(p), moved, Duration.ofSeconds(3))
                        .verdicts()
                        .get(0)
                        .satisfied())
                .as("never the verdict of another digest")
                .isFalse();
    }

    @Test
    @DisplayName("checks of one image that overlap share one pass over the sources")
    void singleFlight() throws Exception {
        Source source = new Source("lookaside", p -> true, "alice");
        source.pending = new CompletableFuture<>();
        ImageVerifier verifier = verifier(source);
        Policy p = policy("1", "k");
        ImageReference image = ImageReference.parse("r.example.com/app:1");

        CompletableFuture<ImageVerdict> one = verifier.verify(image, List.of(p), RegistryCredentials.ANONYMOUS);
        CompletableFuture<ImageVerdict> two = verifier.verify(image, List.of(p), RegistryCredentials.ANONYMOUS);
        assertThat(one).isNotDone();
        source.pending.complete(
                new SourceFindings(List.of(new SignerEvidence("alice", "lookaside", "k")), List.of(), List.of(), null));

        assertThat(one.join().verdicts().get(0).satisfied()).isTrue();
        assertThat(two.join().verdicts().get(0).satisfied()).isTrue();
        assertThat(source.collected).hasSize(1);
    }
}
