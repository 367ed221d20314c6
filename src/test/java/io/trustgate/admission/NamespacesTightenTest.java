package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.LabelSelector;
import io.trustgate.policy.Mode;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Namespaces can only tighten (issue 9, part 3) and modes apply to broken policies (part 5): the decision as a
 * pure function. No upstream decides these cases (the signatures are in memory); what matters is which policies
 * apply, and that a tenant's attempt to loosen the rules makes no network call at all.
 */
class NamespacesTightenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:" + "cd".repeat(32);

    private final List<String> resolved = new ArrayList<>();
    private final RegistryClient registry = (ref, creds) -> {
        resolved.add(ref.toString());
        return CompletableFuture.completedFuture(
                new ManifestDescriptor(DIGEST, "application/vnd.oci.image.manifest.v1+json", 10));
    };
    /** Signers per repository, as if their signatures had verified. */
    private final Map<String, Set<String>> signed = Map.of(
            "r.example.com/tenant/signed", Set.of("tenant-key"),
            "r.example.com/prod/app", Set.of("release"));

    private final SignatureSource source = new SignatureSource() {
        @Override
        public boolean appliesTo(Policy policy) {
            return true;
        }

        @Override
        public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
            List<SignerEvidence> found = signed.getOrDefault(image.repository(), Set.of()).stream()
                    .map(s -> new SignerEvidence(s, "gpg", "fpr-" + s))
                    .toList();
            return CompletableFuture.completedFuture(new SourceFindings(found, List.of(), List.of(), null));
        }
    };
    private final List<String> brokenHeard = new ArrayList<>();
    private final AdmissionListener listener = new AdmissionListener() {
        @Override
        public void broken(String namespace, ImageReference image, BrokenPolicy policy) {
            brokenHeard.add(policy.mode() + " " + policy.id() + " " + image);
        }
    };

    private static Policy policy(PolicyId id, String pattern, String signer, List<String> delegated) throws Exception {
        List<ImagePattern> namespaced = new ArrayList<>();
        for (String d : delegated) {
            namespaced.add(ImagePattern.compile(d));
        }
        List<Signer> signers =
                List.of(Signer.builder(signer).keys(List.of("k-" + signer)).build());
        return Policy.builder(id, id.name() + "-uid", "1")
                .images(List.of(ImagePattern.compile(pattern)))
                .lookaside("https://s.example.com")
                .signers(signers)
                .namespacedImages(namespaced)
                .build();
    }

    private static Policy tenantPolicy() throws Exception {
        return policy(PolicyId.namespaced("team", "mine"), "r.example.com/tenant/**", "tenant-key", List.of());
    }

    private AdmissionHandler handler(PolicySet set, AdmissionHandler.Unmatched unmatched) {
        return AdmissionHandler.builder(
                        () -> set,
                        new ImageVerifier(registry, List.of(source)),
                        io.trustgate.config.TrustgateSettings.defaults().deadline())
                .unmatched(unmatched)
                .listener(listener)
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
    @DisplayName("a tenant's TrustPolicy over an image no ClusterTrustPolicy governs does not admit it when ungoverned "
            + "images are denied, and nothing is fetched for it")
    void tenantCannotLoosen() throws Exception {
        PolicySet set = new PolicySet(
                List.of(
                        policy(PolicyId.cluster("prod"), "r.example.com/prod/**", "release", List.of()),
                        tenantPolicy()),
                List.of());
        var d = handler(set, AdmissionHandler.Unmatched.deny)
                .decide(review("team", "r.example.com/tenant/signed:1"))
                .join();
        assertThat(d.allowed())
                .as("signed by the tenant's own key, yet not admitted")
                .isFalse();
        assertThat(d.reason()).isEqualTo("unmatched");
        assertThat(d.message())
                .contains("not governed by any ClusterTrustPolicy in namespace team")
                .contains("[TrustPolicy team/mine] can only add requirements")
                .contains("allowNamespacedPolicies");
        assertThat(resolved)
                .as("no network call for an image no ClusterTrustPolicy governs")
                .isEmpty();
    }

    @Test
    @DisplayName("where ungoverned images are allowed, a tenant's TrustPolicy adds its requirements (tightens)")
    void tenantTightensWhenUnmatchedAllowed() throws Exception {
        PolicySet set = new PolicySet(List.of(tenantPolicy()), List.of());
        var h = handler(set, AdmissionHandler.Unmatched.allow);
        assertThat(h.decide(review("team", "r.example.com/tenant/signed:1"))
                        .join()
                        .allowed())
                .isTrue();
        var unsigned =
                h.decide(review("team", "r.example.com/tenant/unsigned:1")).join();
        assertThat(unsigned.allowed()).isFalse();
        assertThat(unsigned.message()).contains("TrustPolicy team/mine");
        assertThat(h.decide(review("other", "r.example.com/tenant/unsigned:1"))
                        .join()
                        .allowed())
                .as("other namespaces are not affected")
                .isTrue();
    }

    @Test
    @DisplayName(
            "a ClusterTrustPolicy that delegates a pattern (allowNamespacedPolicies) lets the tenant's policy govern it alone")
    void explicitDelegation() throws Exception {
        PolicySet set = new PolicySet(
                List.of(
                        policy(
                                PolicyId.cluster("prod"),
                                "r.example.com/prod/**",
                                "release",
                                List.of("r.example.com/tenant/**")),
                        tenantPolicy()),
                List.of());
        var h = handler(set, AdmissionHandler.Unmatched.deny);
        var signedByTenant =
                h.decide(review("team", "r.example.com/tenant/signed:1")).join();
        assertThat(signedByTenant.allowed()).as(signedByTenant.message()).isTrue();
        var unsigned =
                h.decide(review("team", "r.example.com/tenant/unsigned:1")).join();
        assertThat(unsigned.allowed()).isFalse();
        assertThat(unsigned.message()).contains("TrustPolicy team/mine").doesNotContain("ClusterTrustPolicy/prod");
        var otherNamespace =
                h.decide(review("other", "r.example.com/tenant/signed:1")).join();
        assertThat(otherNamespace.allowed())
                .as("delegation needs a TrustPolicy of the namespace")
                .isFalse();
        assertThat(otherNamespace.message()).contains("not governed by any TrustPolicy");
    }

    @Test
    @DisplayName("a TrustPolicy over an image a ClusterTrustPolicy governs adds to it: both must be satisfied")
    void tighteningApplies() throws Exception {
        PolicySet set = new PolicySet(
                List.of(
                        policy(PolicyId.cluster("prod"), "r.example.com/prod/**", "release", List.of()),
                        policy(PolicyId.namespaced("team", "extra"), "r.example.com/prod/**", "tenant-key", List.of())),
                List.of());
        var d = handler(set, AdmissionHandler.Unmatched.deny)
                .decide(review("team", "r.example.com/prod/app:1"))
                .join();
        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).contains("TrustPolicy team/extra").doesNotContain("ClusterTrustPolicy/prod requires");
    }

    @Test
    @DisplayName("a broken policy in Warn mode warns, in Audit records, in Enforce denies")
    void brokenPolicyModes() throws Exception {
        Policy prod = policy(PolicyId.cluster("prod"), "r.example.com/prod/**", "release", List.of());
        for (Mode mode : Mode.values()) {
            brokenHeard.clear();
            BrokenPolicy broken = new BrokenPolicy(
                    PolicyId.cluster("typo"),
                    List.of(ImagePattern.compile("r.example.com/prod/**")),
                    LabelSelector.EVERYTHING,
                    "signer \"x\" has no keys",
                    mode);
            var d = handler(new PolicySet(List.of(prod), List.of(broken)), AdmissionHandler.Unmatched.deny)
                    .decide(review("default", "r.example.com/prod/app:1"))
                    .join();
            assertThat(brokenHeard)
                    .as(mode.name())
                    .containsExactly(mode + " ClusterTrustPolicy/typo r.example.com/prod/app:1");
            switch (mode) {
                case Enforce -> {
                    assertThat(d.allowed()).isFalse();
                    assertThat(d.reason()).isEqualTo("broken-policy");
                    assertThat(d.message())
                            .contains("ClusterTrustPolicy/typo, which failed to load: signer \"x\" has no keys");
                }
                case Warn -> {
                    assertThat(d.allowed()).as("the other policy is satisfied").isTrue();
                    assertThat(d.warnings())
                            .singleElement()
                            .asString()
                            .contains("ClusterTrustPolicy/typo, which failed to load");
                }
                case Audit -> {
                    assertThat(d.allowed()).isTrue();
                    assertThat(d.warnings()).isEmpty();
                }
            }
        }
    }

    @Test
    @DisplayName("a broken tenant policy in Warn mode does not make an ungoverned image admissible")
    void brokenTenantPolicyCannotLoosen() throws Exception {
        BrokenPolicy broken = new BrokenPolicy(
                PolicyId.namespaced("team", "mine"),
                List.of(ImagePattern.compile("r.example.com/tenant/**")),
                null,
                "bad key",
                Mode.Warn);
        var d = handler(new PolicySet(List.of(), List.of(broken)), AdmissionHandler.Unmatched.deny)
                .decide(review("team", "r.example.com/tenant/signed:1"))
                .join();
        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).contains("not governed");
    }
}
