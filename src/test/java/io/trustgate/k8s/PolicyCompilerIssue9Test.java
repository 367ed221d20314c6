package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.trustgate.image.ImageReference;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.ClusterTrustPolicySpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicySpec;
import io.trustgate.policy.Mode;
import io.trustgate.policy.NamespacedUrls;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The compiler's part of issue 9: key fingerprints, delegation to namespaces, tenant URLs, broken policies' modes. */
class PolicyCompilerIssue9Test {

    private static final String KEY_A = "a".repeat(64);
    private static final String KEY_B = "b".repeat(64);

    private final Map<String, String> secrets = new HashMap<>();

    private PolicyCompiler compiler(NamespacedUrls urls) {
        return new PolicyCompiler(
                (ns, name, key) -> Optional.ofNullable(secrets.get(ns + "/" + name + "/" + key)),
                "trustgate",
                PolicyCompiler.KeyCheck.STRUCTURAL,
                urls);
    }

    private static SignerSpec fromSecret(String name) {
        SignerSpec s = new SignerSpec();
        s.name = name;
        s.keysFrom = new SignerSpec.KeysFrom();
        s.keysFrom.secretKeyRef = new SignerSpec.SecretKeyRef();
        s.keysFrom.secretKeyRef.name = "keys";
        s.keysFrom.secretKeyRef.key = "ids";
        return s;
    }

    private static <T extends TrustPolicySpec> T spec(T spec, String lookaside) {
        spec.images = List.of("r.example.com/team/**");
        spec.lookaside = lookaside;
        spec.notary = new io.trustgate.k8s.crd.NotarySpec();
        spec.notary.server = "https://notary.example.com";
        spec.notary.rootKeys = List.of(KEY_A);
        spec.signers = List.of(fromSecret("team"));
        return spec;
    }

    private static TrustPolicy tenant(String lookaside) {
        TrustPolicy p = new TrustPolicy();
        p.setMetadata(new ObjectMetaBuilder()
                .withName("mine")
                .withNamespace("team")
                .withUid("u")
                .withResourceVersion("7")
                .build());
        p.setSpec(spec(new TrustPolicySpec(), lookaside));
        return p;
    }

    private static ClusterTrustPolicy cluster(String lookaside) {
        ClusterTrustPolicy p = new ClusterTrustPolicy();
        p.setMetadata(new ObjectMetaBuilder()
                .withName("prod")
                .withUid("c")
                .withResourceVersion("3")
                .build());
        p.setSpec(spec(new ClusterTrustPolicySpec(), lookaside));
        return p;
    }

    @Test
    @DisplayName("the key fingerprint follows the keysFrom Secret's content, the resourceVersion does not")
    void fingerprintFollowsSecret() {
        secrets.put("team/keys/ids", KEY_A);
        PolicyCompiler.Result first = compiler(NamespacedUrls.DEFAULT).compile(tenant("https://sigs.example.com"));
        secrets.put("team/keys/ids", KEY_B);
        PolicyCompiler.Result rotated = compiler(NamespacedUrls.DEFAULT).compile(tenant("https://sigs.example.com"));
        assertThat(first.ok()).isTrue();
        assertThat(rotated.policy().resourceVersion()).isEqualTo(first.policy().resourceVersion());
        assertThat(rotated.policy().keyFingerprint())
                .isNotEqualTo(first.policy().keyFingerprint());
        assertThat(rotated.policy().versionKey()).isNotEqualTo(first.policy().versionKey());
        secrets.put("team/keys/ids", KEY_A);
        assertThat(compiler(NamespacedUrls.DEFAULT)
                        .compile(tenant("https://sigs.example.com"))
                        .policy()
                        .keyFingerprint())
                .as("stable")
                .isEqualTo(first.policy().keyFingerprint());
    }

    @Test
    @DisplayName(
            "a TrustPolicy naming a loopback or metadata-service lookaside is broken and says why; a ClusterTrustPolicy may")
    void tenantUrls() {
        secrets.put("team/keys/ids", KEY_A);
        secrets.put("trustgate/keys/ids", KEY_A);
        PolicyCompiler.Result loopback = compiler(NamespacedUrls.DEFAULT).compile(tenant("http://127.0.0.1:8080"));
        assertThat(loopback.ok()).isFalse();
        assertThat(loopback.broken().error()).contains("lookaside http://127.0.0.1:8080 points at a loopback address");
        PolicyCompiler.Result metadata = compiler(NamespacedUrls.DEFAULT).compile(tenant("http://169.254.169.254/"));
        assertThat(metadata.broken().error()).contains("link-local");
        TrustPolicy notaryOnNode = tenant("https://sigs.example.com");
        notaryOnNode.getSpec().notary.server = "https://[fe80::1]:4443";
        assertThat(compiler(NamespacedUrls.DEFAULT)
                        .compile(notaryOnNode)
                        .broken()
                        .error())
                .startsWith("notary.server");
        assertThat(compiler(new NamespacedUrls(List.of("http://127.0.0.1:8080", "https://notary.example.com")))
                        .compile(tenant("http://127.0.0.1:8080"))
                        .ok())
                .as("allowed by the admin")
                .isTrue();
        assertThat(compiler(new NamespacedUrls(List.of("https://allowed.example.com")))
                        .compile(tenant("https://sigs.example.com"))
                        .broken()
                        .error())
                .contains("not under a URL prefix");
        assertThat(compiler(NamespacedUrls.DEFAULT)
                        .compile(cluster("http://127.0.0.1:8080"))
                        .ok())
                .isTrue();
    }

    @Test
    @DisplayName("allowNamespacedPolicies is compiled into the ClusterTrustPolicy; a bad pattern breaks it")
    void delegation() throws Exception {
        secrets.put("trustgate/keys/ids", KEY_A);
        ClusterTrustPolicy c = cluster("https://sigs.example.com");
        ((ClusterTrustPolicySpec) c.getSpec()).allowNamespacedPolicies = List.of("r.example.com/tenants/**");
        PolicyCompiler.Result r = compiler(NamespacedUrls.DEFAULT).compile(c);
        ImageReference tenantImage = ImageReference.parse("r.example.com/tenants/a/app:1");
        assertThat(r.policy().delegatesToNamespaces(tenantImage.repository(), tenantImage.tag()))
                .isTrue();
        assertThat(r.policy().delegatesToNamespaces("r.example.com/team/app", "1"))
                .isFalse();
        ((ClusterTrustPolicySpec) c.getSpec()).allowNamespacedPolicies = List.of("r.example.com/x@sha256:1");
        assertThat(compiler(NamespacedUrls.DEFAULT).compile(c).broken().error()).startsWith("allowNamespacedPolicies:");
    }

    @Test
    @DisplayName("a broken policy keeps its mode (Warn, Audit); one whose spec is missing enforces")
    void brokenKeepsMode() {
        TrustPolicy warn = tenant("https://sigs.example.com"); // its Secret is missing: broken
        warn.getSpec().mode = Mode.Warn;
        PolicyCompiler.Result r = compiler(NamespacedUrls.DEFAULT).compile(warn);
        assertThat(r.ok()).isFalse();
        assertThat(r.broken().mode()).isEqualTo(Mode.Warn);
        TrustPolicy empty = tenant("https://sigs.example.com");
        empty.setSpec(null);
        assertThat(compiler(NamespacedUrls.DEFAULT).compile(empty).broken().mode())
                .isEqualTo(Mode.Enforce);
    }
}
