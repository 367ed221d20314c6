package io.trustgate.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link SignatureVerifier}: which signatures count toward a role's threshold. Metadata is built directly, so
 * each case changes exactly one thing about one signature.
 */
@DisplayName("SignatureVerifier")
class SignatureVerifierTest {

    private static final byte[] SIGNED = "{\"_type\":\"Targets\",\"version\":1}".getBytes(StandardCharsets.UTF_8);

    private static TufKey tuf(TestKey k) {
        return TufKey.parse("targets", k.id(), TufKey.keyObject(k.keyType(), k.publicB64()));
    }

    private static RoleKeys role(int threshold, TestKey... keys) {
        Map<String, TufKey> byId = new LinkedHashMap<>();
        for (TestKey k : keys) {
            byId.put(k.id(), tuf(k));
        }
        return new RoleKeys("targets", byId, threshold);
    }

    private static Signature sig(TestKey k) {
        return new Signature(k.id(), k.method(), k.sign(SIGNED));
    }

    private static SignedMetadata metadata(Signature... signatures) {
        return new SignedMetadata(
                "targets",
                SIGNED,
                JsonNodeFactory.instance.objectNode(),
                SIGNED,
                List.of(signatures),
                1,
                Instant.parse("2030-01-01T00:00:00Z"));
    }

    @Test
    @DisplayName("ecdsa, ed25519 and rsa-pss signatures by the role's keys meet a threshold of 3, in signature order")
    void everyKeyType() {
        TestKey a = TestKey.ecdsa();
        TestKey b = TestKey.ed25519();
        TestKey c = TestKey.rsa();
        List<TufKey> valid = SignatureVerifier.verify(metadata(sig(c), sig(a), sig(b)), role(3, a, b, c));
        assertThat(valid).extracting(TufKey::keyId).containsExactly(c.id(), a.id(), b.id());
    }

    @Test
    @DisplayName(
            "a P-256 or ed25519 signature with one bit flipped, or over other bytes, or with r = 0, does not verify")
    void tamperedP256AndEd25519() {
        for (TestKey k : List.of(TestKey.ecdsa(), TestKey.ed25519())) {
            TufKey key = tuf(k);
            byte[] good = k.sign(SIGNED);
            assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), good), SIGNED))
                    .as(k.keyType() + " untouched")
                    .isTrue();
            for (int i : new int[] {0, good.length / 2, good.length - 1}) {
                byte[] flipped = good.clone();
                flipped[i] ^= 1;
                assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), flipped), SIGNED))
                        .as(k.keyType() + " bit flipped at " + i)
                        .isFalse();
            }
            byte[] other = "{\"_type\":\"Targets\",\"version\":2}".getBytes(StandardCharsets.UTF_8);
            assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), good), other))
                    .as(k.keyType() + " over other bytes")
                    .isFalse();
            byte[] zeroR = good.clone();
            java.util.Arrays.fill(zeroR, 0, good.length / 2, (byte) 0);
            assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), zeroR), SIGNED))
                    .as(k.keyType() + " first half zero")
                    .isFalse();
        }
    }

    @Test
    @DisplayName("past FAST_P256_VERIFICATIONS in one update, P-256 signatures go to SunEC and are still checked: "
            + "good ones count, flipped, zeroed or other-bytes ones do not")
    void leanP256PathAfterTheFastOnes() {
        SignatureVerifier.Checked checked = new SignatureVerifier.Checked();
        for (int i = 0; i < SignatureVerifier.FAST_P256_VERIFICATIONS + 8; i++) {
            TestKey k = TestKey.ecdsa();
            assertThat(SignatureVerifier.verify(metadata(sig(k)), role(1, k), checked))
                    .extracting(TufKey::keyId)
                    .containsExactly(k.id());
        }
        assertThat(checked.performed()).isGreaterThan(SignatureVerifier.FAST_P256_VERIFICATIONS);
        TestKey k = TestKey.ecdsa();
        byte[] good = k.sign(SIGNED);
        for (int i : new int[] {0, good.length / 2, good.length - 1}) {
            byte[] flipped = good.clone();
            flipped[i] ^= 1;
            ThresholdNotMetException e = catchThrowableOfType(
                    ThresholdNotMetException.class,
                    () -> SignatureVerifier.verify(
                            metadata(new Signature(k.id(), k.method(), flipped)), role(1, k), checked));
            assertThat(e.rejected())
                    .extracting(ThresholdNotMetException.RejectedSignature::reason)
                    .as("bit flipped at " + i)
                    .containsExactly("signature does not verify");
        }
        TufKey key = tuf(k);
        assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), good), SIGNED, true))
                .isTrue();
        byte[] other = "{\"_type\":\"Targets\",\"version\":2}".getBytes(StandardCharsets.UTF_8);
        assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), good), other, true))
                .isFalse();
        byte[] zeroR = good.clone();
        java.util.Arrays.fill(zeroR, 0, good.length / 2, (byte) 0);
        assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), zeroR), SIGNED, true))
                .isFalse();
        byte[] short_ = java.util.Arrays.copyOf(good, good.length - 1);
        assertThat(SignatureVerifier.verifies(key, new Signature(k.id(), k.method(), short_), SIGNED, true))
                .isFalse();
    }

    @Test
    @DisplayName("each rejected signature is reported with why: outside the role, wrong method, does not verify")
    void rejectedWithReasons() {
        TestKey a = TestKey.ecdsa();
        TestKey b = TestKey.ecdsa();
        TestKey stranger = TestKey.ecdsa();
        byte[] flipped = a.sign(SIGNED);
        flipped[5] ^= 1;
        ThresholdNotMetException e = catchThrowableOfType(
                ThresholdNotMetException.class,
                () -> SignatureVerifier.verify(
                        metadata(
                                sig(stranger),
                                new Signature(b.id(), "eddsa", b.sign(SIGNED)),
                                new Signature(a.id(), "ecdsa", flipped)),
                        role(1, a, b)));
        assertThat(e.threshold()).isEqualTo(1);
        assertThat(e.validKeyIds()).isEmpty();
        assertThat(e.rejected())
                .extracting(
                        ThresholdNotMetException.RejectedSignature::keyId,
                        ThresholdNotMetException.RejectedSignature::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(stranger.id(), "not a key of targets"),
                        org.assertj.core.groups.Tuple.tuple(b.id(), "method eddsa is not allowed for a ecdsa key"),
                        org.assertj.core.groups.Tuple.tuple(a.id(), "signature does not verify"));
    }

    @Test
    @DisplayName("one public key counts once, even listed under two ids (as ecdsa and as its x509 certificate)")
    void onePublicKeyOnce() {
        TestKey cert = TestKey.rootCertificate(
                "registry.example/app",
                Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600));
        TestKey plain = new TestKey(
                TufKey.ECDSA,
                cert.pair(),
                Base64.getEncoder().encodeToString(cert.pair().getPublic().getEncoded()),
                "ecdsa",
                null);
        assertThat(plain.id()).isNotEqualTo(cert.id());
        ThresholdNotMetException e = catchThrowableOfType(
                ThresholdNotMetException.class,
                () -> SignatureVerifier.verify(metadata(sig(cert), sig(plain)), role(2, cert, plain)));
        assertThat(e.validKeyIds()).hasSize(1);
    }

    @Test
    @DisplayName("the same signature repeated does not make a threshold of 2")
    void repeatedSignature() {
        TestKey a = TestKey.ecdsa();
        Signature s = sig(a);
        assertThat(catchThrowableOfType(
                                ThresholdNotMetException.class,
                                () -> SignatureVerifier.verify(metadata(s, s), role(2, a, TestKey.ecdsa())))
                        .validKeyIds())
                .containsExactly(a.id());
    }

    @Test
    @DisplayName("an ECDSA signature of the wrong length (DER instead of raw r||s) does not verify")
    void ecdsaWrongLength() {
        TestKey a = TestKey.ecdsa();
        List<Signature> sigs = new ArrayList<>();
        byte[] raw = a.sign(SIGNED);
        byte[] longer = java.util.Arrays.copyOf(raw, raw.length + 1);
        sigs.add(new Signature(a.id(), "ecdsa", longer));
        assertThat(catchThrowableOfType(
                                ThresholdNotMetException.class,
                                () -> SignatureVerifier.verify(metadata(sigs.toArray(Signature[]::new)), role(1, a)))
                        .rejected())
                .extracting(ThresholdNotMetException.RejectedSignature::reason)
                .containsExactly("signature does not verify");
    }
}
