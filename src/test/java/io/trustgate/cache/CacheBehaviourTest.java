package io.trustgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryUnavailableException;
import io.trustgate.testing.MutableClock;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Cache lifetimes with a pinned clock: what is served from cache, and when it stops being served. */
class CacheBehaviourTest {

    private static final CacheSettings SETTINGS = new CacheSettings(
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            1000,
            Duration.ofSeconds(10));

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-23T12:00:00Z"));
    private final AtomicInteger resolves = new AtomicInteger();
    private final AtomicInteger collects = new AtomicInteger();
    private volatile String registryDigest = "sha256:" + "a".repeat(64);
    private volatile RuntimeException registryFailure;
    private volatile boolean signed = true;
    private volatile boolean sourceDown;
    private volatile Instant trustExpiry;

    private final RegistryClient registry = (ref, creds) -> {
        resolves.incrementAndGet();
        if (registryFailure != null) {
            return CompletableFuture.failedFuture(registryFailure);
        }
        return CompletableFuture.completedFuture(new ManifestDescriptor(registryDigest, null, -1));
    };

    private final SignatureSource source = new SignatureSource() {
        @Override
        public boolean appliesTo(Policy policy) {
            return true;
        }

        @Override
        public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
            collects.incrementAndGet();
            if (sourceDown) {
                return CompletableFuture.completedFuture(SourceFindings.unavailable("notary: connection refused"));
            }
            List<SignerEvidence> found =
                    signed ? List.of(new SignerEvidence("alice", "notary targets", "k")) : List.of();
            return CompletableFuture.completedFuture(new SourceFindings(found, List.of(), List.of(), trustExpiry));
        }
    };

    private static Policy policy(String resourceVersion, int min) throws Exception {
        return Policy.builder(PolicyId.cluster("p"), "uid-1", resourceVersion)
                .images(List.of(ImagePattern.compile("r.example.com/**")))
                .signers(List.of(
                        Signer.builder("alice").keys(List.of("k")).build(),
                        Signer.builder("bob").keys(List.of("k")).build()))
                .minSignatures(min)
                .build();
    }

    private final ImageVerifier verifier =
            new ImageVerifier(new CachingRegistryClient(registry, SETTINGS, clock), List.of(source), clock, SETTINGS);

    private ImageVerdict check(Policy p) throws Exception {
        return verifier.verify(ImageReference.parse("r.example.com/app:1"), List.of(p), RegistryCredentials.ANONYMOUS)
                .join();
    }

    @Test
    @DisplayName("a verdict is served from cache, and expires with the trust data it was based on")
    void verdictExpiresWithTrustData() throws Exception {
        trustExpiry = clock.instant().plus(Duration.ofMinutes(2));
        Policy p = policy("1", 1);
        assertThat(check(p).verdicts().get(0).satisfied()).isTrue();
        signed = false;
        clock.advance(Duration.ofSeconds(100));
        assertThat(check(p).verdicts().get(0).satisfied()).as("still cached").isTrue();
        assertThat(collects).hasValue(1);
        clock.advance(Duration.ofSeconds(21)); // past the trust data's expiry, well before the 5 min verdict TTL
        assertThat(check(p).verdicts().get(0).satisfied()).isFalse();
        assertThat(collects).hasValue(2);
    }

    @Test
    @DisplayName("a policy edit changes the very next verdict")
    void policyEditTakesEffect() throws Exception {
        assertThat(check(policy("1", 1)).verdicts().get(0).satisfied()).isTrue();
        ImageVerdict edited = check(policy("2", 2));
        assertThat(edited.verdicts().get(0).satisfied()).isFalse();
        assertThat(edited.verdicts().get(0).outcome().missing()).containsExactly("bob");
    }

    @Test
    @DisplayName("a moved tag is seen once the tag TTL has passed, not before")
    void movedTagAfterTtl() throws Exception {
        Policy p = policy("1", 1);
        assertThat(check(p).digest()).endsWith("a".repeat(64));
        registryDigest = "sha256:" + "b".repeat(64);
        clock.advance(Duration.ofSeconds(29));
        assertThat(check(p).digest()).endsWith("a".repeat(64));
        clock.advance(Duration.ofSeconds(2));
        assertThat(check(p).digest()).endsWith("b".repeat(64));
        assertThat(resolves).hasValue(2);
    }

    @Test
    @DisplayName("a failure is cached only for the failure TTL")
    void failureCachedBriefly() throws Exception {
        registryFailure = new IllegalStateException("manifest unknown");
        Policy p = policy("1", 1);
        assertThat(check(p).resolutionError()).contains("manifest unknown");
        registryFailure = null;
        clock.advance(Duration.ofSeconds(9));
        assertThat(check(p).resolutionError()).as("the failure is still cached").contains("manifest unknown");
        assertThat(resolves).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(check(p).resolutionError()).isNull();
        assertThat(resolves).hasValue(2);
    }

    @Test
    @DisplayName(
            "when upstreams fail after a good verification, the good verdict is served with a warning (stale-if-error)")
    void staleIfError() throws Exception {
        Policy p = policy("1", 1);
        assertThat(check(p).verdicts().get(0).satisfied()).isTrue();
        clock.advance(Duration.ofMinutes(6)); // every cache entry has expired
        registryFailure = new RegistryUnavailableException(
                "connection refused",
                "r.example.com",
                "r.example.com/app",
                "r.example.com/app:1",
                0,
                "check the registry");
        ImageVerdict stale = check(p);
        assertThat(stale.verdicts().get(0).satisfied()).isTrue();
        assertThat(stale.digest()).endsWith("a".repeat(64));
        assertThat(stale.pinRequired())
                .as("the tag's current digest is unknown: only a pinned pod may use it")
                .isTrue();
        assertThat(stale.verdicts().get(0).findings().warnings())
                .singleElement()
                .asString()
                .contains("admitted on the verdict of 2026-11-23T12:00:00Z")
                .contains("upstreams failed");

        registryFailure = null;
        sourceDown = true;
        clock.advance(Duration.ofMinutes(1));
        ImageVerdict sameDigest = check(p);
        assertThat(sameDigest.verdicts().get(0).satisfied())
                .as("an unreachable Notary is an upstream failure too")
                .isTrue();
        assertThat(sameDigest.pinRequired())
                .as("the tag resolved to the verified digest")
                .isFalse();

        registryDigest = "sha256:" + "b".repeat(64); // the tag moves while Notary is down
        clock.advance(Duration.ofSeconds(31));
        ImageVerdict moved = check(p);
        assertThat(moved.digest()).endsWith("b".repeat(64));
        assertThat(moved.verdicts().get(0).satisfied())
                .as("never a verdict for another digest")
                .isFalse();
        registryDigest = "sha256:" + "a".repeat(64);
        clock.advance(Duration.ofSeconds(31));

        clock.advance(Duration.ofHours(1)); // beyond staleIfError
        ImageVerdict tooOld = check(p);
        assertThat(tooOld.verdicts().get(0).satisfied()).isFalse();
        assertThat(tooOld.verdicts().get(0).findings().problems())
                .singleElement()
                .asString()
                .contains("connection refused");
    }
}
