package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignatureCheck.Reason;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Key-usage rules on keys that gpg will not make (it refuses to sign with a certify-only key and always
 * cross-certifies signing subkeys), so the keys are built with Bouncy Castle here.
 */
class KeyUsageTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final String IDENTITY = "registry.example.test/team/app:1.0";
    private static final byte[] PAYLOAD = ("{\"critical\":{\"type\":\"atomic container signature\",\"image\":"
                    + "{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"identity\":{\"docker-reference\":\"" + IDENTITY
                    + "\"}},\"optional\":{}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final Date CREATED = Date.from(Instant.parse("2026-01-01T00:00:00Z"));

    private static SimpleSigning verifier;
    private static ImageReference image;

    @BeforeAll
    static void setUp() throws Exception {
        verifier = new SimpleSigning(Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));
        image = ImageReference.parse(IDENTITY);
    }

    private static PGPKeyPair ed25519() throws Exception {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), CREATED);
    }

    private static BcPGPContentSignerBuilder signer(PGPKeyPair pair) {
        return new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256);
    }

    private static PGPKeyRingGenerator ring(PGPKeyPair primary, int flags) throws Exception {
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setKeyFlags(false, flags);
        return new PGPKeyRingGenerator(
                PGPSignature.POSITIVE_CERTIFICATION,
                primary,
                "Usage <usage@example.test>",
                new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                hashed.generate(),
                null,
                signer(primary),
                null);
    }

    /** One-pass signed message (one-pass signature, literal data, signature), as gpg --sign writes without compression. */
    private static byte[] sign(PGPKeyPair key) throws Exception {
        PGPSignatureGenerator generator = new PGPSignatureGenerator(signer(key), key.getPublicKey());
        generator.init(PGPSignature.BINARY_DOCUMENT, key.getPrivateKey());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, CREATED);
        hashed.setIssuerFingerprint(false, key.getPublicKey());
        generator.setHashedSubpackets(hashed.generate());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BCPGOutputStream out = new BCPGOutputStream(bytes);
        generator.generateOnePassVersion(false).encode(out);
        PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
        try (OutputStream data = literal.open(out, PGPLiteralData.BINARY, "", PAYLOAD.length, CREATED)) {
            data.write(PAYLOAD);
        }
        generator.update(PAYLOAD);
        generator.generate().encode(out);
        out.close();
        return bytes.toByteArray();
    }

    @Test
    @DisplayName("a signature by a primary key whose flags do not allow signing data is rejected")
    void certifyOnlyPrimary() throws Exception {
        PGPKeyPair primary = ed25519();
        PgpKeys keys = PgpKeys.parse(
                ring(primary, KeyFlags.CERTIFY_OTHER).generatePublicKeyRing().getEncoded());
        String fingerprint = keys.primaryFingerprints().get(0);

        assertThat(verifier.verify(sign(primary), keys, DIGEST, image, SignedIdentity.DEFAULT))
                .isEqualTo(new SignatureCheck.Rejected(
                        Reason.KEY_NOT_FOR_SIGNING, "key " + fingerprint + " is not marked for signing data"));
    }

    @Test
    @DisplayName("a signing subkey without a back-signature (not cross-certified) does not count")
    void subkeyWithoutBackSignature() throws Exception {
        PGPKeyPair primary = ed25519();
        PGPKeyPair subkey = ed25519();
        PGPKeyRingGenerator ring = ring(primary, KeyFlags.CERTIFY_OTHER);
        PGPSignatureSubpacketGenerator subFlags = new PGPSignatureSubpacketGenerator();
        subFlags.setKeyFlags(false, KeyFlags.SIGN_DATA);
        ring.addSubKey(subkey, subFlags.generate(), null);
        PgpKeys keys = PgpKeys.parse(ring.generatePublicKeyRing().getEncoded());

        assertThat(verifier.verify(sign(subkey), keys, DIGEST, image, SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(SignatureCheck.Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(Reason.KEY_NOT_FOR_SIGNING);
                    assertThat(r.detail()).endsWith("has no valid back-signature (not cross-certified)");
                });
    }

    @Test
    @DisplayName("a cross-certified signing subkey counts for its primary; an encryption-only subkey does not")
    void subkeyFlags() throws Exception {
        PGPKeyPair primary = ed25519();
        PGPKeyPair signing = ed25519();
        PGPKeyPair encryptOnly = ed25519();
        PGPKeyRingGenerator ring = ring(primary, KeyFlags.CERTIFY_OTHER);
        PGPSignatureSubpacketGenerator signFlags = new PGPSignatureSubpacketGenerator();
        signFlags.setKeyFlags(false, KeyFlags.SIGN_DATA);
        ring.addSubKey(signing, signFlags.generate(), null, signer(signing));
        PGPSignatureSubpacketGenerator encryptFlags = new PGPSignatureSubpacketGenerator();
        encryptFlags.setKeyFlags(false, KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE);
        ring.addSubKey(encryptOnly, encryptFlags.generate(), null);
        PgpKeys keys = PgpKeys.parse(ring.generatePublicKeyRing().getEncoded());
        String fingerprint = keys.primaryFingerprints().get(0);

        assertThat(verifier.verify(sign(signing), keys, DIGEST, image, SignedIdentity.DEFAULT))
                .isEqualTo(new SignatureCheck.Valid(fingerprint, IDENTITY, DIGEST));
        assertThat(verifier.verify(sign(encryptOnly), keys, DIGEST, image, SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(SignatureCheck.Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(Reason.KEY_NOT_FOR_SIGNING);
                    assertThat(r.detail()).endsWith("is not bound for signing data");
                });
    }
}
