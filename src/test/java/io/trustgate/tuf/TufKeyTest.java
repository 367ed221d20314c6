package io.trustgate.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** TUF key objects, key ids and the pins that match them. */
@DisplayName("TUF keys and pins")
class TufKeyTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    @DisplayName("a key listed under an id that is not its own is rejected")
    void keyIdChecked() {
        TestKey k = TestKey.ecdsa();
        String wrongId = TestKey.ecdsa().id();
        assertThatThrownBy(() -> TufKey.parse("root", wrongId, TufKey.keyObject(k.keyType(), k.publicB64())))
                .isInstanceOfSatisfying(KeyIdMismatchException.class, e -> {
                    assertThat(e.declaredKeyId()).isEqualTo(wrongId);
                    assertThat(e.computedKeyId()).isEqualTo(k.id());
                });
    }

    @Test
    @DisplayName("an x509 key has Notary's canonical id: the id of the same key as a plain ecdsa key")
    void canonicalKeyId() {
        TestKey cert = TestKey.rootCertificate("example.test/app", NOW, NOW.plusSeconds(60));
        TufKey key = TufKey.parse("root", cert.id(), TufKey.keyObject(cert.keyType(), cert.publicB64()));
        String plainId = TufKey.keyIdOf(
                "ecdsa",
                Base64.getEncoder().encodeToString(cert.pair().getPublic().getEncoded()));
        assertThat(key.canonicalKeyId()).isEqualTo(plainId).isNotEqualTo(key.keyId());
        assertThat(KeyPin.parse(plainId).matches(key)).isTrue();
        assertThat(KeyPin.parse(cert.id()).matches(key)).isTrue();
        assertThat(KeyPin.parse(cert.publicPem()).matches(key)).isTrue();
        assertThat(KeyPin.parse(cert.certificatePem()).matches(key)).isTrue();
    }

    @Test
    @DisplayName("a certificate reads the same as PEM (with text around it, CRLF lines), as a chain, and as DER")
    void certificateForms() throws Exception {
        TestKey cert = TestKey.rootCertificate("example.test/app", NOW, NOW.plusSeconds(60));
        String pem = cert.certificatePem();
        X509Certificate reference = TufKey.certificate(pem.getBytes(StandardCharsets.US_ASCII));
        String crlf = "subject: example\r\n" + pem.replace("\n", "\r\n") + "trailing text";
        String chain = pem
                + TestKey.rootCertificate("other.test/app", NOW, NOW.plusSeconds(60))
                        .certificatePem();
        for (String form : new String[] {crlf, chain}) {
            assertThat(TufKey.certificate(form.getBytes(StandardCharsets.US_ASCII)))
                    .isEqualTo(reference);
        }
        assertThat(TufKey.certificate(reference.getEncoded())).isEqualTo(reference);
        String broken = pem.replace("-----END CERTIFICATE-----", "-----END CERTIFICAT-----");
        assertThatThrownBy(() -> TufKey.certificate(broken.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    @DisplayName("a PEM public key matches every key type carrying that key, and no other key")
    void spkiMatch() {
        for (TestKey k : new TestKey[] {TestKey.ecdsa(), TestKey.ed25519(), TestKey.rsa()}) {
            TufKey key = TufKey.parse("targets", k.id(), TufKey.keyObject(k.keyType(), k.publicB64()));
            assertThat(KeyPin.parse(k.publicPem()).matches(key)).as(k.keyType()).isTrue();
            assertThat(KeyPin.parse(TestKey.ecdsa().publicPem()).matches(key))
                    .as(k.keyType())
                    .isFalse();
        }
    }

    @Test
    @DisplayName("a P-256 key whose point is off the curve, or compressed, is unusable; the key as published is usable")
    void p256PointChecked() throws Exception {
        byte[] spki = Base64.getDecoder().decode(TestKey.ecdsa().publicB64());
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(spki);
        byte[] point = info.getPublicKeyData().getOctets();

        byte[] offCurve = point.clone();
        offCurve[offCurve.length - 1] ^= 1; // y + or - 1: no longer on the curve
        org.bouncycastle.math.ec.ECPoint q =
                ECNamedCurveTable.getParameterSpec("secp256r1").getCurve().decodePoint(point);
        byte[] compressed = q.getEncoded(true);
        for (byte[] bad : new byte[][] {offCurve, compressed}) {
            String b64 = Base64.getEncoder()
                    .encodeToString(new SubjectPublicKeyInfo(info.getAlgorithm(), bad).getEncoded("DER"));
            String id = TufKey.keyIdOf(TufKey.ECDSA, b64);
            assertThatThrownBy(() -> TufKey.parse("targets", id, TufKey.keyObject(TufKey.ECDSA, b64)))
                    .isInstanceOf(UnsupportedKeyException.class);
        }
        String good = Base64.getEncoder().encodeToString(spki);
        TufKey key = TufKey.parse("targets", TufKey.keyIdOf(TufKey.ECDSA, good), TufKey.keyObject(TufKey.ECDSA, good));
        assertThat(key.spkiId()).isEqualTo(TufKey.spkiId(spki));
    }

    @Test
    @DisplayName("an unknown key type is unusable")
    void unknownKeyType() {
        var obj = TufKey.keyObject("dsa", "AAAA");
        String id = Digests.sha256Hex(CanonicalJson.encode(obj));
        assertThatThrownBy(() -> TufKey.parse("targets", id, obj))
                .isInstanceOfSatisfying(
                        UnsupportedKeyException.class,
                        e -> assertThat(e.keyType()).isEqualTo("dsa"));
    }

    @Test
    @DisplayName("a pin that is not PEM or a 64-digit hex id is refused")
    void badPin() {
        assertThatThrownBy(() -> KeyPin.parse("abc")).isInstanceOf(InvalidPinException.class);
    }
}
