package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.trustgate.image.ImageReference;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.ClusterTrustPolicySpec;
import io.trustgate.k8s.crd.NotarySpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicySpec;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.LabelSelector;
import io.trustgate.policy.Mode;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the compiler checks once at load time, and the message a broken policy carries. The issue 9 additions
 * (key fingerprints, delegation, tenant URLs, broken policies' modes) are in {@link PolicyCompilerIssue9Test}.
 */
class PolicyCompilerTest {

    private static final String KEY_A = "a".repeat(64);
    private static final String KEY_B = "b".repeat(64);
    private static final String PGP_KEY = """
            -----BEGIN PGP PUBLIC KEY BLOCK-----

            mQINBF
            -----END PGP PUBLIC KEY BLOCK-----
            """;
    private static final String PEM_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----\n";

    private final Map<String, String> secrets = new HashMap<>();
    private final PolicyCompiler compiler = new PolicyCompiler(
            (ns, name, key) -> Optional.ofNullable(secrets.get(ns + "/" + name + "/" + key)),
            "trustgate",
            PolicyCompiler.KeyCheck.STRUCTURAL);

    private static SignerSpec signer(String name, String... keys) {
        SignerSpec s = new SignerSpec();
        s.name = name;
        s.keys = List.of(keys);
        return s;
    }

    private static SignerSpec fromSecret(String name, String secret, String key) {
        SignerSpec s = new SignerSpec();
        s.name = name;
        s.keysFrom = new SignerSpec.KeysFrom();
        s.keysFrom.secretKeyRef = new SignerSpec.SecretKeyRef();
        s.keysFrom.secretKeyRef.name = secret;
        s.keysFrom.secretKeyRef.key = key;
        return s;
    }

    /** A Notary-only spec that compiles: one signer with a key id, one root key. */
    private static <T extends TrustPolicySpec> T valid(T spec) {
        spec.images = new ArrayList<>(List.of("r.example.com/team/**"));
        spec.notary = new NotarySpec();
        spec.notary.server = "https://notary.example.com";
        spec.notary.rootKeys = List.of(KEY_A);
        spec.signers = new ArrayList<>(List.of(signer("release", KEY_B)));
        return spec;
    }

    private static TrustPolicy tenant(TrustPolicySpec spec) {
        TrustPolicy p = new TrustPolicy();
        p.setMetadata(new ObjectMetaBuilder()
                .withName("mine")
                .withNamespace("team")
                .withUid("uid-1")
                .withResourceVersion("42")
                .build());
        p.setSpec(spec);
        return p;
    }

    private static ClusterTrustPolicy cluster(ClusterTrustPolicySpec spec) {
        ClusterTrustPolicy p = new ClusterTrustPolicy();
        p.setMetadata(new ObjectMetaBuilder().withName("prod").build());
        p.setSpec(spec);
        return p;
    }

    private BrokenPolicy broken(HasMetadata resource) {
        PolicyCompiler.Result result = compiler.compile(resource);
        assertThat(result.ok()).as("expected a broken policy").isFalse();
        assertThat(result.policy()).isNull();
        return result.broken();
    }

    private BrokenPolicy brokenTenant(Consumer<TrustPolicySpec> edit) {
        TrustPolicySpec spec = valid(new TrustPolicySpec());
        edit.accept(spec);
        return broken(tenant(spec));
    }

    @Test
    @DisplayName("a valid TrustPolicy compiles with its identity, version, defaults and de-duplicated required signers")
    void validTenantPolicy() throws Exception {
        TrustPolicySpec spec = valid(new TrustPolicySpec());
        spec.signers = List.of(signer("release", KEY_B), signer("qa", " " + KEY_A + " ", "  "));
        spec.requiredSigners = List.of("qa", "qa");
        spec.lookaside = "  https://sigs.example.com  ";

        PolicyCompiler.Result result = compiler.compile(tenant(spec));

        assertThat(result.ok()).isTrue();
        assertThat(result.broken()).isNull();
        Policy policy = result.policy();
        assertThat(policy.id()).isEqualTo(PolicyId.namespaced("team", "mine"));
        assertThat(policy.uid()).isEqualTo("uid-1");
        assertThat(policy.resourceVersion()).isEqualTo("42");
        assertThat(policy.mode()).isEqualTo(Mode.Enforce);
        assertThat(policy.minSignatures()).isEqualTo(1);
        assertThat(policy.requiredSigners()).containsExactly("qa");
        assertThat(policy.lookaside()).isEqualTo("https://sigs.example.com");
        assertThat(policy.namespaceSelector()).isEqualTo(LabelSelector.EVERYTHING);
        assertThat(policy.signers()).extracting(Signer::name).containsExactly("release", "qa");
        assertThat(policy.signers().get(1).keys())
                .as("keys are stripped and blank ones dropped")
                .containsExactly(KEY_A);
        assertThat(policy.signedIdentity()).hasToString("matchRepoDigestOrExact");
        assertThat(policy.governs(ImageReference.parse("r.example.com/team/app:1")))
                .isTrue();
        assertThat(policy.governs(ImageReference.parse("r.example.com/other/app:1")))
                .isFalse();
        assertThat(policy.notary().server()).isEqualTo("https://notary.example.com");
        assertThat(policy.notary().rootKeys()).containsExactly(KEY_A);
    }

    @Test
    @DisplayName("a ClusterTrustPolicy without uid or resourceVersion is keyed by its id and version 0")
    void clusterPolicyWithoutUid() {
        ClusterTrustPolicySpec spec = valid(new ClusterTrustPolicySpec());
        spec.signedIdentity = TrustPolicySpec.SignedIdentity.matchExact;
        spec.mode = Mode.Audit;

        Policy policy = compiler.compile(cluster(spec)).policy();

        assertThat(policy.id()).isEqualTo(PolicyId.cluster("prod"));
        assertThat(policy.uid()).isEqualTo(PolicyId.cluster("prod").toString());
        assertThat(policy.resourceVersion()).isEqualTo("0");
        assertThat(policy.mode()).isEqualTo(Mode.Audit);
        assertThat(policy.signedIdentity()).hasToString("matchExact");
    }

    @Test
    @DisplayName("a TrustPolicy without a namespace is read as one in \"default\"")
    void tenantWithoutNamespace() {
        TrustPolicy p = tenant(valid(new TrustPolicySpec()));
        p.getMetadata().setNamespace(null);
        assertThat(PolicyCompiler.idOf(p)).isEqualTo(PolicyId.namespaced("default", "mine"));
    }

    @Test
    @DisplayName("a policy with no spec is broken, claims every image and enforces")
    void noSpec() throws Exception {
        BrokenPolicy broken = broken(tenant(null));
        assertThat(broken.error()).isEqualTo("the policy has no spec");
        assertThat(broken.images()).isEmpty();
        assertThat(broken.mode()).isEqualTo(Mode.Enforce);
        assertThat(broken.claims("team", Map.of(), ImageReference.parse("anything.example.com/x:1")))
                .isTrue();
    }

    @Test
    @DisplayName("an empty images list, a bad pattern or no signers break the policy; patterns read so far are claimed")
    void imagesAndSigners() throws Exception {
        assertThat(brokenTenant(s -> s.images = List.of()).error()).isEqualTo("images must list at least one pattern");
        assertThat(brokenTenant(s -> s.signers = List.of()).error()).isEqualTo("signers must name at least one signer");
        assertThat(brokenTenant(s -> s.signers = null).error()).isEqualTo("signers must name at least one signer");

        BrokenPolicy badPattern = brokenTenant(s -> s.images = List.of("r.example.com/team/**", "r.example.com//app"));
        assertThat(badPattern.error()).isEqualTo("image pattern \"r.example.com//app\" has an empty path segment");
        assertThat(badPattern.images())
                .as("the pattern before the bad one still claims its images")
                .hasSize(1);
        assertThat(badPattern.claims("team", Map.of(), ImageReference.parse("r.example.com/team/app:1")))
                .isTrue();
        assertThat(badPattern.claims("team", Map.of(), ImageReference.parse("r.example.com/other/app:1")))
                .isFalse();
    }

    @Test
    @DisplayName("signers must have a unique name and at least one key that passes the key check")
    void signerChecks() {
        assertThat(brokenTenant(s -> s.signers = List.of(signer(" ", KEY_A))).error())
                .isEqualTo("a signer has no name");
        assertThat(brokenTenant(s -> s.signers = List.of(signer("dup", KEY_A), signer("dup", KEY_B)))
                        .error())
                .isEqualTo("signer \"dup\" is named twice");
        assertThat(brokenTenant(s -> s.signers = List.of(signer("empty", "   ")))
                        .error())
                .isEqualTo("signer \"empty\" has no keys");
        assertThat(brokenTenant(s -> s.signers = List.of(signer("short", "abc123")))
                        .error())
                .startsWith("signer \"short\": a key must be an armoured OpenPGP public key")
                .contains("64-hex-digit key id");
    }

    @Test
    @DisplayName("minSignatures below 1 or above the number of signers, or an unknown required signer, break it")
    void thresholds() {
        assertThat(brokenTenant(s -> s.minSignatures = 0).error()).isEqualTo("minSignatures must be at least 1, got 0");
        assertThat(brokenTenant(s -> s.minSignatures = 2).error())
                .isEqualTo("minSignatures is 2 but only 1 signers are named, so no image could ever be admitted");
        assertThat(brokenTenant(s -> s.requiredSigners = List.of("security")).error())
                .isEqualTo("requiredSigners names \"security\", which is not among the signers [release]");

        TrustPolicySpec two = valid(new TrustPolicySpec());
        two.signers = List.of(signer("release", KEY_B), signer("qa", KEY_A));
        two.minSignatures = 2;
        assertThat(compiler.compile(tenant(two)).policy().minSignatures()).isEqualTo(2);
    }

    @Test
    @DisplayName(
            "keys need the section that uses them: OpenPGP keys a lookaside, PEM keys a notary (with root keys), cosign or notation section")
    void keysNeedTheirSource() {
        assertThat(brokenTenant(s -> s.signers = List.of(signer("gpg", PGP_KEY)))
                        .error())
                .isEqualTo("signer \"gpg\" has OpenPGP keys but the policy has no lookaside to find GPG signatures in");
        assertThat(brokenTenant(s -> s.notary = null).error())
                .isEqualTo(
                        "signer \"release\" has PEM keys or key ids (Notary or cosign keys) or certificates (Notation"
                                + " trust anchors) but the policy has no notary, cosign or notation section");
        assertThat(brokenTenant(s -> s.notary.rootKeys = null).error())
                .isEqualTo("notary.rootKeys must pin at least one root key");
        assertThat(brokenTenant(s -> s.notary.rootKeys = List.of("not-a-key")).error())
                .startsWith("signer \"notary.rootKeys\": a key must be");
        assertThat(brokenTenant(s -> s.lookaside = "ftp://sigs.example.com").error())
                .isEqualTo("lookaside must be an https://, http:// or file:// URL, got \"ftp://sigs.example.com\"");

        TrustPolicySpec gpgOnly = valid(new TrustPolicySpec());
        gpgOnly.notary = null;
        gpgOnly.lookaside = "https://sigs.example.com";
        gpgOnly.signers = List.of(signer("gpg", PGP_KEY));
        Policy policy = compiler.compile(tenant(gpgOnly)).policy();
        assertThat(policy.notary()).isNull();
        assertThat(policy.signers().get(0).pgpKeys())
                .as("inline keys are stripped")
                .containsExactly(PGP_KEY.strip());
    }

    @Test
    @DisplayName("keysFrom reads the policy's own namespace for a TrustPolicy and trustgate's for a ClusterTrustPolicy")
    void keysFromNamespaces() {
        secrets.put("team/keys/ids", KEY_A + "\n\n" + KEY_B + "\n");
        TrustPolicySpec spec = valid(new TrustPolicySpec());
        spec.signers = List.of(fromSecret("release", "keys", "ids"));
        assertThat(compiler.compile(tenant(spec)).policy().signers().get(0).keys())
                .containsExactly(KEY_A, KEY_B);

        ClusterTrustPolicySpec clusterSpec = valid(new ClusterTrustPolicySpec());
        clusterSpec.signers = List.of(fromSecret("release", "keys", "ids"));
        BrokenPolicy missing = broken(cluster(clusterSpec));
        assertThat(missing.error())
                .as("a ClusterTrustPolicy must not read the tenant's Secret")
                .isEqualTo("signer \"release\": Secret trustgate/keys has no key \"ids\" (or does not exist)");

        secrets.put("trustgate/keys/ids", PEM_KEY);
        assertThat(compiler.compile(cluster(clusterSpec))
                        .policy()
                        .signers()
                        .get(0)
                        .keys())
                .containsExactly(PEM_KEY);
    }

    @Test
    @DisplayName("a bad block in a keysFrom Secret is named by Secret, key and position, never by its content")
    void badSecretBlock() {
        String secretContent = """
                -----BEGIN PGP PUBLIC KEY BLOCK-----
                SECRET-LOOKING-CONTENT
                -----END PGP SIGNATURE-----
                """;
        secrets.put("team/keys/ids", KEY_A + "\n" + secretContent + "zzz-top-secret\n");
        BrokenPolicy broken = brokenTenant(s -> s.signers = List.of(fromSecret("release", "keys", "ids")));
        // The structural check passes the armoured block (it only looks for the BEGIN line); the bare word fails.
        assertThat(broken.error())
                .isEqualTo("signer \"release\": block 3 of 3 in Secret team/keys key \"ids\" is not an armoured "
                        + "OpenPGP public key, a PEM public key or certificate, or a 64-hex-digit key id")
                .doesNotContain("zzz-top-secret")
                .doesNotContain("SECRET-LOOKING-CONTENT");

        secrets.put("team/keys/ids", "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n");
        PolicyCompiler strict = new PolicyCompiler(
                (ns, name, key) -> Optional.ofNullable(secrets.get(ns + "/" + name + "/" + key)),
                "trustgate",
                (signer, key) -> {
                    throw new InvalidPolicyException("cannot parse " + key);
                });
        TrustPolicySpec spec = valid(new TrustPolicySpec());
        spec.signers = List.of(fromSecret("release", "keys", "ids"));
        PolicyCompiler.Result result = strict.compile(tenant(spec));
        assertThat(result.broken().error())
                .isEqualTo("signer \"release\": block 1 of 1 in Secret team/keys key \"ids\" is not a valid PEM "
                        + "public key or certificate")
                .doesNotContain("not base64");
    }

    @Test
    @DisplayName("a Secret value splits into PEM or armoured blocks and one key id per line; an unclosed block is kept")
    void splitKeyBlocks() {
        String value = "  " + KEY_A + "  \r\n\n" + PEM_KEY + KEY_B + "\n" + "-----BEGIN PUBLIC KEY-----\nMFk";
        assertThat(PolicyCompiler.splitKeyBlocks(value))
                .containsExactly(KEY_A, PEM_KEY, KEY_B, "-----BEGIN PUBLIC KEY-----\nMFk\n");
        assertThat(PolicyCompiler.splitKeyBlocks("\n \n")).isEmpty();
    }

    @Test
    @DisplayName("a ClusterTrustPolicy's namespaceSelector is compiled; In without values breaks it")
    void namespaceSelector() throws Exception {
        ClusterTrustPolicySpec spec = valid(new ClusterTrustPolicySpec());
        spec.namespaceSelector = new LabelSelectorBuilder()
                .withMatchLabels(Map.of("env", "prod"))
                .addNewMatchExpression()
                .withKey("tier")
                .withOperator("NotIn")
                .withValues("test")
                .endMatchExpression()
                .build();
        Policy policy = compiler.compile(cluster(spec)).policy();
        assertThat(policy.appliesIn("shop", Map.of("env", "prod", "tier", "web")))
                .isTrue();
        assertThat(policy.appliesIn("shop", Map.of("env", "prod", "tier", "test")))
                .isFalse();
        assertThat(policy.appliesIn("shop", Map.of("env", "dev"))).isFalse();

        ClusterTrustPolicySpec bad = valid(new ClusterTrustPolicySpec());
        bad.namespaceSelector = new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("tier")
                .withOperator("In")
                .endMatchExpression()
                .build();
        BrokenPolicy broken = broken(cluster(bad));
        assertThat(broken.error()).isEqualTo("namespaceSelector: In on \"tier\" needs values");
        assertThat(broken.namespaceSelector())
                .as("an unreadable selector applies everywhere")
                .isNull();
        assertThat(broken.images()).as("images are read after the selector").isEmpty();
        assertThat(broken.claims("any", Map.of(), ImageReference.parse("r.example.com/team/app:1")))
                .isTrue();
    }

    // ---------------------------------------------------------------- cosign keyless (trusted root, identities)

    private static SignerSpec keyless(String name, String issuer, String subject, String subjectRegExp) {
        SignerSpec s = new SignerSpec();
        s.name = name;
        SignerSpec.Identity identity = new SignerSpec.Identity();
        identity.issuer = issuer;
        identity.subject = subject;
        identity.subjectRegExp = subjectRegExp;
        s.identities = List.of(identity);
        return s;
    }

    private static String trustedRoot() throws Exception {
        return java.nio.file.Files.readString(
                java.nio.file.Path.of("src/test/resources/cosign/conformance/public-good-trusted_root.json"));
    }

    @Test
    @DisplayName("a keyless signer compiles with its identities; the trusted root from a Secret enters the key"
            + " fingerprint, so replacing it invalidates cached verdicts")
    void keylessSigner() throws Exception {
        TrustPolicySpec spec = valid(new TrustPolicySpec());
        spec.cosign = new io.trustgate.k8s.crd.CosignSpec();
        spec.cosign.trustedRootFrom = new SignerSpec.KeysFrom();
        spec.cosign.trustedRootFrom.secretKeyRef = new SignerSpec.SecretKeyRef();
        spec.cosign.trustedRootFrom.secretKeyRef.name = "sigstore";
        spec.cosign.trustedRootFrom.secretKeyRef.key = "trusted_root.json";
        spec.signers = new ArrayList<>(List.of(keyless("ci", "https://issuer.example", null, "https://ci/.*")));
        String root = trustedRoot();
        secrets.put("team/sigstore/trusted_root.json", root);
        PolicyCompiler.Result first = compiler.compile(tenant(spec));
        assertThat(first.ok()).as(String.valueOf(first.broken())).isTrue();
        assertThat(first.policy().cosign().trustedRoot()).isEqualTo(root);
        assertThat(first.policy().signers().get(0).identities())
                .containsExactly(
                        new io.trustgate.policy.KeylessIdentity("https://issuer.example", null, "https://ci/.*"));
        secrets.put("team/sigstore/trusted_root.json", root.replace("\"tlogs\"", "\"tlogs\" "));
        PolicyCompiler.Result second = compiler.compile(tenant(spec));
        assertThat(second.policy().keyFingerprint()).isNotEqualTo(first.policy().keyFingerprint());
    }

    @Test
    @DisplayName("keyless rules are checked at load: a pattern that is not RE2, identities without a trusted root, a"
            + " trusted root that is not one")
    void keylessBroken() throws Exception {
        assertThat(brokenTenant(spec -> {
                            spec.cosign = new io.trustgate.k8s.crd.CosignSpec();
                            spec.signers = List.of(keyless("ci", "https://issuer.example", null, "(a)\\1"));
                        })
                        .error())
                .contains("signer \"ci\": identity 1: subjectRegExp is not an RE2 regular expression");
        assertThat(brokenTenant(spec -> {
                            spec.cosign = new io.trustgate.k8s.crd.CosignSpec();
                            spec.signers = List.of(keyless("ci", "https://issuer.example", "a@example.com", null));
                        })
                        .error())
                .contains("gives no Sigstore trusted root");
        assertThat(brokenTenant(spec -> {
                            spec.cosign = new io.trustgate.k8s.crd.CosignSpec();
                            spec.cosign.trustedRoot = "{\"tlogs\": 1}";
                            spec.signers = List.of(keyless("ci", "https://issuer.example", "a@example.com", null));
                        })
                        .error())
                .contains("cosign.trustedRoot is not a usable Sigstore trusted root");
        assertThat(brokenTenant(spec -> spec.signers = List.of(keyless("ci", "https://issuer.example", null, null)))
                        .error())
                .contains("exactly one of subject and subjectRegExp");
    }
}
