package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.Exemption;
import io.trustgate.policy.ExemptionRule;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.policy.TrustExceptions;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.testing.MutableClock;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.trustgate.verify.SourceFindings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * TrustExceptions at admission, as a pure function with a pinned clock: a matching, unexpired exception admits the
 * image for the policies it names only, with a warning naming it, its reason and its expiry; after expiry the image
 * is denied again. Nothing in memory here is signed, so every admission below is the exception's doing.
 */
class ExceptionAdmissionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:" + "cd".repeat(32);
    private static final Instant CREATED = Instant.parse("2026-11-01T10:00:00Z");
    private static final String EXPIRES = "2026-11-01T12:00:00Z";

    private final List<String> resolved = new CopyOnWriteArrayList<>();
    private final RegistryClient registry = (ref, creds) -> {
        resolved.add(ref.toString());
        return CompletableFuture.completedFuture(
                new ManifestDescriptor(DIGEST, "application/vnd.oci.image.manifest.v1+json", 10));
    };
    private final SignatureSource nothingSigned = new SignatureSource() {
        @Override
        public boolean appliesTo(Policy policy) {
            return true;
        }

        @Override
        public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
            return CompletableFuture.completedFuture(new SourceFindings(List.of(), List.of(), List.of(), null));
        }
    };
    private final List<String> exemptedHeard = new ArrayList<>();
    private final AdmissionListener listener = new AdmissionListener() {
        @Override
        public void exempted(String namespace, ImageReference image, Policy policy, Exemption exemption) {
            exemptedHeard.add(namespace + " " + image + " " + policy.id() + " " + exemption.ref());
        }
    };
    private final MutableClock clock = MutableClock.at(CREATED.plus(Duration.ofMinutes(5)));

    private static Policy policy(String name, String pattern, ExemptionRule rule) throws Exception {
        return Policy.builder(PolicyId.cluster(name), name + "-uid", "1")
                .images(List.of(ImagePattern.compile(pattern)))
                .lookaside("https://s.example.com")
                .signers(List.of(Signer.builder("release").keys(List.of("k")).build()))
                .build()
                .withExemptions(rule);
    }

    private static Exemption exemption(List<String> images, List<String> policies) throws Exception {
        return Exemption.compile(
                "team",
                "hotfix",
                images,
                policies,
                "vendor image, signed next sprint",
                CREATED,
                EXPIRES,
                Duration.ofDays(30));
    }

    private AdmissionHandler handler(PolicySet set) {
        return AdmissionHandler.builder(
                        () -> set, new ImageVerifier(registry, List.of(nothingSigned)), Duration.ofSeconds(8))
                .listener(listener)
                .clock(clock)
                .build();
    }

    private static JsonNode review(String namespace, String image) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"%s",
                 "object":{"kind":"Pod","spec":{"containers":[{"name":"a","image":"%s"}]}}}}
                """.formatted(namespace, image));
    }

    @Test
    @DisplayName("before expiry the image is admitted with a warning naming the exception, its reason and expiry, "
            + "without any upstream call; from the expiry on it is denied")
    void admittedUntilExpiry() throws Exception {
        PolicySet set = new PolicySet(
                List.of(policy("prod", "r.example.com/**", new ExemptionRule(true, null))),
                List.of(),
                new TrustExceptions(List.of(exemption(List.of("r.example.com/team/**"), List.of("prod")))));
        AdmissionHandler handler = handler(set);

        var before = handler.decide(review("team", "r.example.com/team/app:1")).join();
        assertThat(before.allowed()).isTrue();
        assertThat(before.warnings())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("image r.example.com/team/app:1 was not checked against ClusterTrustPolicy/prod")
                .contains("TrustException team/hotfix")
                .contains("until 2026-11-01T12:00:00Z")
                .contains("reason: vendor image, signed next sprint");
        assertThat(resolved).as("a waived policy costs no upstream call").isEmpty();
        assertThat(exemptedHeard).containsExactly("team r.example.com/team/app:1 ClusterTrustPolicy/prod team/hotfix");

        clock.set(Instant.parse(EXPIRES));
        var after = handler.decide(review("team", "r.example.com/team/app:1")).join();
        assertThat(after.allowed()).isFalse();
        assertThat(after.message()).contains("ClusterTrustPolicy/prod").contains("signed by no trusted signer");
        assertThat(after.warnings()).noneMatch(w -> w.contains("TrustException"));
    }

    @Test
    @DisplayName("the policies the exception does not name still apply")
    void otherPoliciesStillApply() throws Exception {
        PolicySet set = new PolicySet(
                List.of(
                        policy("prod", "r.example.com/**", new ExemptionRule(true, null)),
                        policy("strict", "r.example.com/team/**", new ExemptionRule(true, null))),
                List.of(),
                new TrustExceptions(List.of(exemption(List.of("r.example.com/team/**"), List.of("prod")))));
        var d = handler(set).decide(review("team", "r.example.com/team/app:1")).join();
        assertThat(d.allowed()).isFalse();
        assertThat(d.message())
                .contains("ClusterTrustPolicy/strict")
                .doesNotContain("ClusterTrustPolicy/prod requires");
        assertThat(d.warnings()).anyMatch(w -> w.contains("not checked against ClusterTrustPolicy/prod"));
    }

    @Test
    @DisplayName("a policy that does not allow exceptions, another namespace, or an image the exception does not name "
            + "is checked as usual")
    void notApplicable() throws Exception {
        TrustExceptions exceptions =
                new TrustExceptions(List.of(exemption(List.of("r.example.com/team/**"), List.of("prod"))));
        PolicySet closed =
                new PolicySet(List.of(policy("prod", "r.example.com/**", ExemptionRule.NONE)), List.of(), exceptions);
        assertThat(handler(closed)
                        .decide(review("team", "r.example.com/team/app:1"))
                        .join()
                        .allowed())
                .isFalse();
        PolicySet open = new PolicySet(
                List.of(policy("prod", "r.example.com/**", new ExemptionRule(true, null))), List.of(), exceptions);
        assertThat(handler(open)
                        .decide(review("other", "r.example.com/team/app:1"))
                        .join()
                        .allowed())
                .isFalse();
        assertThat(handler(open)
                        .decide(review("team", "r.example.com/else/app:1"))
                        .join()
                        .allowed())
                .isFalse();
        assertThat(exemptedHeard).isEmpty();
    }

    @Test
    @DisplayName("an exception never turns an image no policy governs into a network call, and never admits it")
    void ungovernedStaysUngoverned() throws Exception {
        PolicySet set = new PolicySet(
                List.of(policy("prod", "r.example.com/prod/**", new ExemptionRule(true, null))),
                List.of(),
                new TrustExceptions(List.of(exemption(List.of("**"), List.of("prod")))));
        var d = handler(set).decide(review("team", "evil.example.com/x:1")).join();
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("unmatched");
        assertThat(resolved).isEmpty();
    }

    @Test
    @DisplayName("a digest exception admits only a Pod that names that digest")
    void digestException() throws Exception {
        PolicySet set = new PolicySet(
                List.of(policy("prod", "r.example.com/**", new ExemptionRule(true, null))),
                List.of(),
                new TrustExceptions(List.of(exemption(List.of("r.example.com/team/app@" + DIGEST), List.of("prod")))));
        assertThat(handler(set)
                        .decide(review("team", "r.example.com/team/app@" + DIGEST))
                        .join()
                        .allowed())
                .isTrue();
        assertThat(handler(set)
                        .decide(review("team", "r.example.com/team/app:1"))
                        .join()
                        .allowed())
                .as("by tag: the exception does not resolve tags, and the policy denies it")
                .isFalse();
    }
}
