package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.trustgate.k8s.crd.CosignSpec;
import io.trustgate.k8s.crd.NotarySpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicySpec;
import io.trustgate.pgp.PgpLimits;
import io.trustgate.pgp.TestKeyrings;
import io.trustgate.policy.SignerLimits;
import io.trustgate.runtime.VerifierStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The OpenPGP keys of one signer count together against {@link PgpLimits#MAX_KEYRING_KEYS}: a signer's blocks
 * (inline and from a {@code keysFrom} Secret) are merged into one trusted set when signatures are checked, so the
 * bound is checked on the merged set at load time with the real key check, and the message quotes no key. PEM keys,
 * Notary key ids and keyless identities per signer have their own bounds ({@link SignerLimits}), each tested at and
 * just over it.
 */
class SignerKeyBoundsTest {

    private static final int HALF = PgpLimits.MAX_KEYRING_KEYS / 2;
    private static final String HALF_KEYRING = TestKeyrings.armoured(HALF);

    private final Map<String, String> secrets = new HashMap<>();
    private final PolicyCompiler compiler = new PolicyCompiler(
            (ns, name, key) -> Optional.ofNullable(secrets.get(ns + "/" + name + "/" + key)),
            "trustgate",
            VerifierStack.keyCheck());

    private PolicyCompiler.Result compile(String inlineKey) {
        SignerSpec signer = new SignerSpec();
        signer.name = "release";
        signer.keys = List.of(inlineKey);
        signer.keysFrom = new SignerSpec.KeysFrom();
        signer.keysFrom.secretKeyRef = new SignerSpec.SecretKeyRef();
        signer.keysFrom.secretKeyRef.name = "keys";
        signer.keysFrom.secretKeyRef.key = "release.asc";
        TrustPolicySpec spec = new TrustPolicySpec();
        spec.lookaside = "https://sigs.example.com";
        return compiler.compile(policy(signer, spec));
    }

    @Test
    @DisplayName(
            "a signer with exactly the key limit across an inline block and a Secret loads; one key more is broken")
    void keysPerSignerAtAndOverTheLimit() {
        secrets.put("team/keys/release.asc", HALF_KEYRING);
        // The same block twice would be one set of keys: the inline block holds other keys.
        PolicyCompiler.Result at = compile(TestKeyrings.armoured(PgpLimits.MAX_KEYRING_KEYS - HALF));
        assertThat(at.ok()).as("%s", at.broken()).isTrue();

        String over = TestKeyrings.armoured(PgpLimits.MAX_KEYRING_KEYS - HALF + 1);
        PolicyCompiler.Result result = compile(over);
        assertThat(result.ok()).isFalse();
        assertThat(result.broken().error())
                .startsWith("signer \"release\": ")
                .contains("more than " + PgpLimits.MAX_KEYRING_KEYS + " OpenPGP keys")
                .contains("PgpLimits.MAX_KEYRING_KEYS")
                .doesNotContain("BEGIN PGP")
                .doesNotContain(HALF_KEYRING
                        .lines()
                        .filter(l -> l.length() > 40)
                        .findFirst()
                        .orElseThrow());
    }
    // ------------------------------------------------------------------------------- PEM keys, key ids, identities

    private static String pemKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(
                                    generator.generateKeyPair().getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String keyId(int i) {
        return String.format(Locale.ROOT, "%064x", i + 1);
    }

    private static TrustPolicy policy(SignerSpec signer, TrustPolicySpec spec) {
        spec.images = List.of("r.example.com/team/**");
        spec.signers = List.of(signer);
        TrustPolicy policy = new TrustPolicy();
        policy.setMetadata(new ObjectMetaBuilder()
                .withName("mine")
                .withNamespace("team")
                .withUid("uid-1")
                .withResourceVersion("1")
                .build());
        policy.setSpec(spec);
        return policy;
    }

    /** A cosign signer with {@code inline} PEM keys inline and {@code fromSecret} more in a keysFrom Secret. */
    private PolicyCompiler.Result pemSigner(int inline, int fromSecret) {
        SignerSpec signer = new SignerSpec();
        signer.name = "release";
        signer.keys = IntStream.range(0, inline).mapToObj(i -> pemKey()).toList();
        secrets.put(
                "team/cosign/keys.pem",
                IntStream.range(0, fromSecret).mapToObj(i -> pemKey()).collect(Collectors.joining()));
        signer.keysFrom = new SignerSpec.KeysFrom();
        signer.keysFrom.secretKeyRef = new SignerSpec.SecretKeyRef();
        signer.keysFrom.secretKeyRef.name = "cosign";
        signer.keysFrom.secretKeyRef.key = "keys.pem";
        TrustPolicySpec spec = new TrustPolicySpec();
        spec.cosign = new CosignSpec();
        return compiler.compile(policy(signer, spec));
    }

    @Test
    @DisplayName("a signer with exactly SignerLimits.MAX_PEM_KEYS PEM keys across inline keys and a Secret loads;"
            + " one more is broken, naming the bound and quoting no key")
    void pemKeysPerSignerAtAndOverTheBound() {
        int half = SignerLimits.MAX_PEM_KEYS / 2;
        PolicyCompiler.Result at = pemSigner(half, SignerLimits.MAX_PEM_KEYS - half);
        assertThat(at.ok()).as("%s", at.broken()).isTrue();
        assertThat(at.policy().signers().get(0).keys()).hasSize(SignerLimits.MAX_PEM_KEYS);

        PolicyCompiler.Result over = pemSigner(half, SignerLimits.MAX_PEM_KEYS - half + 1);
        assertThat(over.ok()).isFalse();
        assertThat(over.broken().error())
                .isEqualTo("signer \"release\" has " + (SignerLimits.MAX_PEM_KEYS + 1) + " PEM public keys and "
                        + "certificates, more than " + SignerLimits.MAX_PEM_KEYS
                        + " (SignerLimits.MAX_PEM_KEYS); drop retired keys");
    }

    @Test
    @DisplayName("a Notary signer with exactly SignerLimits.MAX_KEY_IDS key ids loads; one more is broken, naming"
            + " the bound")
    void keyIdsPerSignerAtAndOverTheBound() {
        TrustPolicySpec spec = new TrustPolicySpec();
        spec.notary = new NotarySpec();
        spec.notary.server = "https://notary.example.com";
        spec.notary.rootKeys = List.of(keyId(100_000));
        SignerSpec signer = new SignerSpec();
        signer.name = "owners";
        signer.keys = IntStream.range(0, SignerLimits.MAX_KEY_IDS)
                .mapToObj(SignerKeyBoundsTest::keyId)
                .toList();
        PolicyCompiler.Result at = compiler.compile(policy(signer, spec));
        assertThat(at.ok()).as("%s", at.broken()).isTrue();

        signer.keys = IntStream.range(0, SignerLimits.MAX_KEY_IDS + 1)
                .mapToObj(SignerKeyBoundsTest::keyId)
                .toList();
        PolicyCompiler.Result over = compiler.compile(policy(signer, spec));
        assertThat(over.ok()).isFalse();
        assertThat(over.broken().error())
                .startsWith("signer \"owners\" has " + (SignerLimits.MAX_KEY_IDS + 1) + " key ids")
                .contains("more than " + SignerLimits.MAX_KEY_IDS + " (SignerLimits.MAX_KEY_IDS)");
    }

    @Test
    @DisplayName("a keyless signer with exactly SignerLimits.MAX_IDENTITIES identities loads; one more is broken,"
            + " naming the bound")
    void identitiesPerSignerAtAndOverTheBound() throws Exception {
        TrustPolicySpec spec = new TrustPolicySpec();
        spec.cosign = new CosignSpec();
        spec.cosign.trustedRoot =
                Files.readString(Path.of("src/test/resources/cosign/conformance/public-good-trusted_root.json"));
        SignerSpec signer = new SignerSpec();
        signer.name = "ci";
        signer.identities = identities(SignerLimits.MAX_IDENTITIES);
        PolicyCompiler.Result at = compiler.compile(policy(signer, spec));
        assertThat(at.ok()).as("%s", at.broken()).isTrue();
        assertThat(at.policy().signers().get(0).identities()).hasSize(SignerLimits.MAX_IDENTITIES);

        signer.identities = identities(SignerLimits.MAX_IDENTITIES + 1);
        PolicyCompiler.Result over = compiler.compile(policy(signer, spec));
        assertThat(over.ok()).isFalse();
        assertThat(over.broken().error())
                .startsWith("signer \"ci\" has " + (SignerLimits.MAX_IDENTITIES + 1) + " keyless identities")
                .contains("more than " + SignerLimits.MAX_IDENTITIES + " (SignerLimits.MAX_IDENTITIES)");
    }

    private static List<SignerSpec.Identity> identities(int count) {
        List<SignerSpec.Identity> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SignerSpec.Identity identity = new SignerSpec.Identity();
            identity.issuer = "https://issuer.example";
            identity.subject = "https://ci.example/team/app-" + i;
            out.add(identity);
        }
        return out;
    }
}
