package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicySpec;
import io.trustgate.pgp.PgpLimits;
import io.trustgate.pgp.TestKeyrings;
import io.trustgate.runtime.VerifierStack;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The OpenPGP keys of one signer count together against {@link PgpLimits#MAX_KEYRING_KEYS}: a signer's blocks
 * (inline and from a {@code keysFrom} Secret) are merged into one trusted set when signatures are checked, so the
 * bound is checked on the merged set at load time with the real key check, and the message quotes no key.
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
        spec.images = List.of("r.example.com/team/**");
        spec.lookaside = "https://sigs.example.com";
        spec.signers = List.of(signer);
        TrustPolicy policy = new TrustPolicy();
        policy.setMetadata(new ObjectMetaBuilder()
                .withName("mine")
                .withNamespace("team")
                .withUid("uid-1")
                .withResourceVersion("1")
                .build());
        policy.setSpec(spec);
        return compiler.compile(policy);
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
}
