package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.policy.CosignConfig;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.testing.TestCa;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cosign source's parsed public keys are bounded by {@link CosignSignatureSource#MAX_CACHED_KEYS}. */
class CosignKeyBoundTest {

    @Test
    @DisplayName("policies naming one cosign key more than MAX_CACHED_KEYS keep at most that many parsed, and every"
            + " one is still a usable key")
    void justOverTheBound() throws Exception {
        CosignSignatureSource source = new CosignSignatureSource(null, Runnable::run);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        int max = CosignSignatureSource.MAX_CACHED_KEYS;
        int largest = 0;
        for (int i = 0; i <= max; i++) {
            String pem = TestCa.pem(generator.generateKeyPair().getPublic());
            Policy policy = Policy.builder(PolicyId.cluster("cosign-keys-" + i), "uid-" + i, "1")
                    .images(List.of(ImagePattern.compile("registry.example.test/**")))
                    .signers(List.of(Signer.builder("s" + i).keys(List.of(pem)).build()))
                    .cosign(new CosignConfig(null))
                    .build();
            assertThat(source.appliesTo(policy)).as("key %d is read", i).isTrue();
            largest = Math.max(largest, source.cachedKeys());
        }
        assertThat(largest).isEqualTo(max);
        assertThat(source.cachedKeys())
                .as("the one over the bound cleared the map")
                .isEqualTo(1);
    }
}
