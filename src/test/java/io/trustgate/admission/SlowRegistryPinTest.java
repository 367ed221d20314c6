package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.CachingRegistryClient;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.testing.MutableClock;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A registry that is slow until the deadline (rather than down) must not let a tag's old verdict through either:
 * the review's deadline finds the tag unresolved, so the last good verdict comes back pinRequired and /validate
 * denies it. (The real-peer outage case is {@code VerdictReuseTest}; here the registry never answers.)
 */
class SlowRegistryPinTest {

    private static final String OLD = "sha256:" + "0a".repeat(32);

    @Test
    @DisplayName(
            "a registry that stops answering after a good verdict gives a denial at the deadline, naming the old digest")
    void slowRegistryDeniedAtDeadline() throws Exception {
        MutableClock clock = MutableClock.at(Instant.parse("2026-11-30T12:00:00Z"));
        CompletableFuture<ManifestDescriptor> never = new CompletableFuture<>();
        boolean[] silent = {false};
        RegistryClient registry = (ref, creds) ->
                silent[0] ? never : CompletableFuture.completedFuture(new ManifestDescriptor(OLD, null, -1));
        SignatureSource source = new SignatureSource() {
            @Override
            public boolean appliesTo(Policy policy) {
                return true;
            }

            @Override
            public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
                return CompletableFuture.completedFuture(new SourceFindings(
                        List.of(new SignerEvidence("alice", "gpg", "fpr")), List.of(), List.of(), null));
            }
        };
        CacheSettings cache = io.trustgate.config.TrustgateSettings.defaults().cache();
        ImageVerifier verifier =
                new ImageVerifier(new CachingRegistryClient(registry, cache, clock), List.of(source), clock, cache);
        Policy policy = Policy.builder(PolicyId.cluster("p"), "uid", "1")
                .images(List.of(ImagePattern.compile("r.example.com/**")))
                .lookaside("https://s.example.com")
                .signers(List.of(Signer.builder("alice").keys(List.of("k")).build()))
                .build();
        AdmissionHandler handler = AdmissionHandler.builder(
                        () -> new PolicySet(List.of(policy), List.of()), verifier, Duration.ofMillis(300))
                .build();
        var review = new ObjectMapper().readTree("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default",
                 "object":{"spec":{"containers":[{"name":"a","image":"r.example.com/app:1"}]}}}}""");
        assertThat(handler.decide(review).join().allowed()).isTrue();

        silent[0] = true;
        clock.advance(Duration.ofMinutes(6));
        AdmissionHandler.Decision d = handler.decide(review).join();
        assertThat(d.allowed()).isFalse();
        assertThat(d.message())
                .contains("did not answer in time")
                .contains("the tag's current digest is unknown")
                .contains(OLD);
        assertThat(d.warnings()).as("nothing was admitted on the old verdict").isEmpty();
    }
}
