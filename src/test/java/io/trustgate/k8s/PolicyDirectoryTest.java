package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.Mode;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.runtime.VerifierStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyDirectoryTest {

    @Test
    @DisplayName("every example in policies/ loads without error, so the examples cannot rot")
    void examplesLoad() throws Exception {
        PolicySet set =
                new PolicyDirectory(Path.of("policies"), "trustgate", PolicyCompiler.KeyCheck.STRUCTURAL).load();
        assertThat(set.broken()).isEmpty();
        assertThat(set.policies())
                .extracting(p -> p.id().toString())
                .containsExactlyInAnyOrder(
                        "ClusterTrustPolicy/production-gpg",
                        "ClusterTrustPolicy/staging-warn",
                        "ClusterTrustPolicy/cosign-keyed",
                        "ClusterTrustPolicy/notation-releases",
                        "TrustPolicy payments/payments-dct");
        Policy notation = find(set, "ClusterTrustPolicy/notation-releases");
        assertThat(notation.notation()).isNotNull();
        assertThat(notation.signers().get(0).notationIdentities())
                .containsExactly("x509.subject: C=US, O=Acme, CN=release");
        Policy prod = find(set, "ClusterTrustPolicy/production-gpg");
        assertThat(prod.minSignatures()).isEqualTo(2);
        assertThat(prod.requiredSigners()).containsExactly("security-team");
        assertThat(prod.signers()).allSatisfy(s -> assertThat(s.pgpKeys()).hasSize(1));
        Policy staging = find(set, "ClusterTrustPolicy/staging-warn");
        assertThat(staging.mode()).isEqualTo(Mode.Warn);
        assertThat(staging.signers().get(0).pgpKeys())
                .as("keysFrom read from the Secret in the directory")
                .hasSize(1);
        assertThat(staging.appliesIn("x", Map.of("env", "dev"))).isTrue();
        assertThat(staging.appliesIn("x", Map.of("env", "prod"))).isFalse();
        Policy payments = find(set, "TrustPolicy payments/payments-dct");
        assertThat(payments.signers().get(0).roles()).containsExactly("targets/releases");
        assertThat(payments.notary().rootKeys()).hasSize(1);
        Policy cosign = find(set, "ClusterTrustPolicy/cosign-keyed");
        assertThat(cosign.cosign()).isNotNull();
        assertThat(cosign.cosign().repository()).isNull();
        assertThat(cosign.notary()).isNull();
    }

    @Test
    @DisplayName("the examples also pass the full load-time key check, cosign.pub keys included")
    void examplesPassKeyCheck() throws Exception {
        PolicySet set = new PolicyDirectory(Path.of("policies"), "trustgate", VerifierStack.keyCheck()).load();
        assertThat(set.broken()).isEmpty();
        assertThat(set.policies()).extracting(p -> p.id().toString()).contains("ClusterTrustPolicy/cosign-keyed");
    }

    private static Policy find(PolicySet set, String id) {
        return set.policies().stream()
                .filter(p -> p.id().toString().equals(id))
                .findFirst()
                .orElseThrow();
    }

    @Test
    @DisplayName("a policy with a bad value is broken, names its error, and claims its images")
    void brokenPolicies(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: trustgate.io/v1alpha1
                kind: ClusterTrustPolicy
                metadata: {name: bad-mode}
                spec:
                  mode: Block
                  images: ["r.example.com/**"]
                  lookaside: https://s.example.com
                  signers: [{name: a, keys: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]}]
                ---
                apiVersion: trustgate.io/v1alpha1
                kind: TrustPolicy
                metadata: {name: too-many, namespace: team}
                spec:
                  images: ["r.example.com/team/**"]
                  notary: {server: https://n.example.com, rootKeys: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]}
                  signers: [{name: a, keys: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]}]
                  minSignatures: 2
                ---
                apiVersion: trustgate.io/v1alpha1
                kind: ClusterTrustPolicy
                metadata: {name: typo}
                spec:
                  images: ["other.example.com/**"]
                  minSignature: 1
                  signers: [{name: a, keys: ["x"]}]
                ---
                apiVersion: trustgate.io/v1alpha1
                kind: ClusterTrustPolicy
                metadata: {name: unknown-required}
                spec:
                  images: ["third.example.com/**"]
                  lookaside: https://s.example.com
                  signers: [{name: a, keys: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]}]
                  requiredSigners: [b]
                """);
        Files.writeString(dir.resolve("garbage.yml"), "a: [unclosed");
        PolicySet set = new PolicyDirectory(dir, "trustgate", PolicyCompiler.KeyCheck.STRUCTURAL).load();
        assertThat(set.policies()).isEmpty();
        assertThat(set.broken())
                .extracting(b -> b.id() + ": " + b.error())
                .anySatisfy(m ->
                        assertThat(m).startsWith("ClusterTrustPolicy/bad-mode").contains("Block"))
                .anySatisfy(m -> assertThat(m)
                        .startsWith("TrustPolicy team/too-many")
                        .contains("minSignatures is 2 but only 1 signers"))
                .anySatisfy(
                        m -> assertThat(m).startsWith("ClusterTrustPolicy/typo").contains("minSignature"))
                .anySatisfy(m -> assertThat(m).contains("requiredSigners names \"b\""))
                .anySatisfy(m -> assertThat(m).contains("garbage.yml is not valid YAML"));
        var team = set.applicable("team", Map.of(), ImageReference.parse("r.example.com/team/app:1"));
        assertThat(team.broken()).extracting(b -> b.id()).contains(PolicyId.namespaced("team", "too-many"));
        var elsewhere = set.applicable("other", Map.of(), ImageReference.parse("r.example.com/team/app:1"));
        assertThat(elsewhere.broken())
                .extracting(b -> b.id().toString())
                .doesNotContain("TrustPolicy team/too-many")
                .as("a document that could not be read claims everything")
                .contains("ClusterTrustPolicy/garbage.yml");
    }
}
