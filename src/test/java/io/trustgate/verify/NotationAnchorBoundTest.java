package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.NotationConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.testing.TestCa;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Notation source's parsed trust anchors are bounded by {@link NotationSignatureSource#MAX_CACHED_ANCHORS}. */
class NotationAnchorBoundTest {

    @Test
    @DisplayName("policies naming one trust anchor more than MAX_CACHED_ANCHORS keep at most that many parsed, and"
            + " every one is still a usable anchor")
    void justOverTheBound() throws Exception {
        NotationSignatureSource source = new NotationSignatureSource(null, Clock.systemUTC(), Runnable::run);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
        int max = NotationSignatureSource.MAX_CACHED_ANCHORS;
        int largest = 0;
        for (int i = 0; i <= max; i++) {
            X500Name name = new X500Name("CN=anchor-" + i);
            String pem = TestCa.pem(new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    name,
                                    BigInteger.valueOf(i + 1L),
                                    Date.from(Instant.now().minusSeconds(60)),
                                    Date.from(Instant.now().plusSeconds(3600)),
                                    name,
                                    pair.getPublic())
                            .build(signer)));
            Policy policy = Policy.builder(PolicyId.cluster("anchors-" + i), "uid-" + i, "1")
                    .images(List.of(ImagePattern.compile("registry.example.test/**")))
                    .signers(List.of(Signer.builder("s" + i).keys(List.of(pem)).build()))
                    .notation(new NotationConfig())
                    .build();
            assertThat(source.appliesTo(policy)).as("anchor %d is read", i).isTrue();
            largest = Math.max(largest, source.cachedAnchors());
        }
        assertThat(largest).isEqualTo(max);
        assertThat(source.cachedAnchors())
                .as("the one over the bound cleared the map")
                .isEqualTo(1);
    }
}
