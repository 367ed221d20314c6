package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.pgp.PgpKeys.KeyInRing;
import io.trustgate.pgp.SignatureCheck.Reason;
import io.trustgate.pgp.SignatureCheck.Rejected;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link SignerPolicy} on its own: the form of a data signature, and whether its key and times let it count at a
 * reference time. Keys and signatures are built with Bouncy Castle, since gpg will not make most of these cases
 * (signatures made after expiry, subkeys claimed by another primary). End-to-end checks through gpg-made
 * signatures are in {@link SimpleSigningTest} and {@link KeyUsageTest}.
 */
class SignerPolicyTest {

    private static final Instant KEY_CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final long TEN_DAYS = Duration.ofDays(10).toSeconds();
    private static final byte[] DATA = "payload".getBytes(StandardCharsets.UTF_8);

    private final SignerPolicy policy = new SignerPolicy();

    private static PGPKeyPair ed25519() throws Exception {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return new BcPGPKeyPair(
                PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), Date.from(KEY_CREATED));
    }

    private static BcPGPContentSignerBuilder signer(PGPKeyPair pair, int hash) {
        return new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), hash);
    }

    /** A ring whose self-certification carries {@code flags} and, when positive, a key expiry. */
    private static PGPKeyRingGenerator ring(PGPKeyPair primary, int flags, long validSeconds) throws Exception {
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        if (flags != 0) {
            hashed.setKeyFlags(false, flags);
        }
        if (validSeconds > 0) {
            hashed.setKeyExpirationTime(false, validSeconds);
        }
        return new PGPKeyRingGenerator(
                PGPSignature.POSITIVE_CERTIFICATION,
                primary,
                "Policy <policy@example.test>",
                new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                hashed.generate(),
                null,
                signer(primary, HashAlgorithmTags.SHA256),
                null);
    }

    /** Adds a cross-certified subkey bound with {@code flags} and, when positive, a key expiry. */
    private static void addSubkey(PGPKeyRingGenerator ring, PGPKeyPair subkey, int flags, long validSeconds)
            throws Exception {
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setKeyFlags(false, flags);
        if (validSeconds > 0) {
            hashed.setKeyExpirationTime(false, validSeconds);
        }
        ring.addSubKey(subkey, hashed.generate(), null, signer(subkey, HashAlgorithmTags.SHA256));
    }

    private static PGPSignature dataSignature(PGPKeyPair key, int type, int hash, Instant created, long expiresAfter)
            throws Exception {
        PGPSignatureGenerator generator = new PGPSignatureGenerator(signer(key, hash), key.getPublicKey());
        generator.init(type, key.getPrivateKey());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, Date.from(created));
        if (expiresAfter > 0) {
            hashed.setSignatureExpirationTime(false, expiresAfter);
        }
        generator.setHashedSubpackets(hashed.generate());
        generator.update(DATA);
        return generator.generate();
    }

    private static PGPSignature signedAt(PGPKeyPair key, Instant created) throws Exception {
        return dataSignature(key, PGPSignature.BINARY_DOCUMENT, HashAlgorithmTags.SHA256, created, 0);
    }

    private static KeyInRing primaryOf(PGPPublicKeyRing ring) {
        return new KeyInRing(ring.getPublicKey(), ring.getPublicKey());
    }

    private static Instant day(int n) {
        return KEY_CREATED.plus(Duration.ofDays(n));
    }

    @Test
    @DisplayName("binary and text data signatures have an acceptable form; a certification is not a data signature")
    void signatureType() throws Exception {
        PGPKeyPair key = ed25519();
        assertThat(policy.checkForm(signedAt(key, day(1)))).isEmpty();
        assertThat(policy.checkForm(
                        dataSignature(key, PGPSignature.CANONICAL_TEXT_DOCUMENT, HashAlgorithmTags.SHA512, day(1), 0)))
                .isEmpty();

        PGPSignature standalone = dataSignature(key, PGPSignature.STAND_ALONE, HashAlgorithmTags.SHA256, day(1), 0);
        assertThat(policy.checkForm(standalone))
                .contains(new Rejected(
                        Reason.MALFORMED_SIGNATURE,
                        "signature by key " + PgpKeys.keyId(key.getKeyID())
                                + " has type 0x02, not a signature over data"));
    }

    @Test
    @DisplayName("a data signature over SHA-1 or RIPEMD-160 is refused as too weak, SHA-256 and up are accepted")
    void weakHashes() throws Exception {
        PGPKeyPair key = ed25519();
        for (int weak : new int[] {HashAlgorithmTags.SHA1, HashAlgorithmTags.RIPEMD160}) {
            PGPSignature signature = dataSignature(key, PGPSignature.BINARY_DOCUMENT, weak, day(1), 0);
            assertThat(policy.checkForm(signature))
                    .as("hash %d", weak)
                    .contains(new Rejected(
                            Reason.UNSUPPORTED_ALGORITHM,
                            "signature by key " + PgpKeys.keyId(key.getKeyID()) + " uses hash algorithm " + weak
                                    + ", which is too weak to trust"));
        }
        for (int strong : new int[] {HashAlgorithmTags.SHA256, HashAlgorithmTags.SHA384, HashAlgorithmTags.SHA512}) {
            assertThat(policy.checkForm(dataSignature(key, PGPSignature.BINARY_DOCUMENT, strong, day(1), 0)))
                    .as("hash %d", strong)
                    .isEmpty();
        }
    }

    @Test
    @DisplayName("a signature that expires one day after it was made counts until then and not from that instant on")
    void signatureExpiry() throws Exception {
        PGPKeyPair key = ed25519();
        KeyInRing signer = primaryOf(ring(key, KeyFlags.SIGN_DATA, 0).generatePublicKeyRing());
        long oneDay = Duration.ofDays(1).toSeconds();
        PGPSignature signature =
                dataSignature(key, PGPSignature.BINARY_DOCUMENT, HashAlgorithmTags.SHA256, day(1), oneDay);

        assertThat(policy.checkKeyAndTimes(signer, signature, day(2).minusSeconds(1)))
                .isEmpty();
        assertThat(policy.checkKeyAndTimes(signer, signature, day(2)))
                .contains(new Rejected(
                        Reason.SIGNATURE_EXPIRED,
                        "signature expired at " + day(2) + " (reference time " + day(2) + ")"));
    }

    @Test
    @DisplayName("a key valid for ten days counts inside them, not for a signature made after, not once expired")
    void primaryKeyExpiry() throws Exception {
        PGPKeyPair key = ed25519();
        KeyInRing signer = primaryOf(ring(key, KeyFlags.SIGN_DATA, TEN_DAYS).generatePublicKeyRing());
        String fingerprint = PgpKeys.fingerprint(signer.primary());

        assertThat(policy.checkKeyAndTimes(signer, signedAt(key, day(5)), day(9)))
                .isEmpty();
        assertThat(policy.checkKeyAndTimes(signer, signedAt(key, day(5)), day(10)))
                .contains(new Rejected(
                        Reason.KEY_EXPIRED,
                        "key " + fingerprint + " expired at " + day(10) + " (reference time " + day(10) + ")"));
        // A forger holding an expired key cannot make it count by backdating the reference time.
        assertThat(policy.checkKeyAndTimes(signer, signedAt(key, day(10)), day(3)))
                .contains(new Rejected(
                        Reason.KEY_EXPIRED,
                        "signature made at " + day(10) + " after key " + fingerprint + " expired at " + day(10)));
    }

    @Test
    @DisplayName("a primary key without key flags may sign; one whose flags omit signing may not")
    void primaryKeyFlags() throws Exception {
        PGPKeyPair unflagged = ed25519();
        assertThat(policy.checkKeyAndTimes(
                        primaryOf(ring(unflagged, 0, 0).generatePublicKeyRing()), signedAt(unflagged, day(1)), day(2)))
                .isEmpty();

        PGPKeyPair certifyOnly = ed25519();
        KeyInRing signer =
                primaryOf(ring(certifyOnly, KeyFlags.CERTIFY_OTHER, 0).generatePublicKeyRing());
        assertThat(policy.checkKeyAndTimes(signer, signedAt(certifyOnly, day(1)), day(2)))
                .contains(new Rejected(
                        Reason.KEY_NOT_FOR_SIGNING,
                        "key " + PgpKeys.fingerprint(signer.primary()) + " is not marked for signing data"));
    }

    @Test
    @DisplayName("a key revoked by itself is rejected for any signature; a revocation by another key is ignored")
    void primaryRevocation() throws Exception {
        PGPKeyPair key = ed25519();
        PGPPublicKey primary =
                ring(key, KeyFlags.SIGN_DATA, 0).generatePublicKeyRing().getPublicKey();
        Instant revokedAt = day(3);

        PGPPublicKey revoked = PGPPublicKey.addCertification(primary, revocation(key, primary, revokedAt));
        assertThat(policy.checkKeyAndTimes(new KeyInRing(revoked, revoked), signedAt(key, day(1)), day(4)))
                .as("even a signature made before the revocation")
                .contains(new Rejected(
                        Reason.KEY_REVOKED, "key " + PgpKeys.fingerprint(primary) + " was revoked at " + revokedAt));

        PGPPublicKey forged = PGPPublicKey.addCertification(primary, revocation(ed25519(), primary, revokedAt));
        assertThat(policy.checkKeyAndTimes(new KeyInRing(forged, forged), signedAt(key, day(1)), day(4)))
                .isEmpty();
    }

    private static PGPSignature revocation(PGPKeyPair by, PGPPublicKey primary, Instant at) throws Exception {
        PGPSignatureGenerator generator =
                new PGPSignatureGenerator(signer(by, HashAlgorithmTags.SHA256), by.getPublicKey());
        generator.init(PGPSignature.KEY_REVOCATION, by.getPrivateKey());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, Date.from(at));
        generator.setHashedSubpackets(hashed.generate());
        return generator.generateCertification(primary);
    }

    @Test
    @DisplayName("a cross-certified signing subkey counts until its own expiry, which is judged on the subkey binding")
    void subkeyExpiry() throws Exception {
        PGPKeyPair primary = ed25519();
        PGPKeyPair subkey = ed25519();
        PGPKeyRingGenerator generator = ring(primary, KeyFlags.CERTIFY_OTHER, 0);
        addSubkey(generator, subkey, KeyFlags.SIGN_DATA, TEN_DAYS);
        PGPPublicKeyRing ring = generator.generatePublicKeyRing();
        KeyInRing signer = new KeyInRing(ring.getPublicKey(), ring.getPublicKey(subkey.getKeyID()));
        String what =
                "subkey " + PgpKeys.fingerprint(signer.key()) + " of key " + PgpKeys.fingerprint(signer.primary());

        assertThat(policy.checkKeyAndTimes(signer, signedAt(subkey, day(5)), day(9)))
                .isEmpty();
        assertThat(policy.checkKeyAndTimes(signer, signedAt(subkey, day(5)), day(11)))
                .contains(new Rejected(
                        Reason.KEY_EXPIRED, what + " expired at " + day(10) + " (reference time " + day(11) + ")"));
        assertThat(policy.checkKeyAndTimes(signer, signedAt(subkey, day(12)), day(5)))
                .contains(new Rejected(
                        Reason.KEY_EXPIRED,
                        "signature made at " + day(12) + " after " + what + " expired at " + day(10)));
    }

    @Test
    @DisplayName("a subkey revoked by its primary, bound only for encryption, or claimed by another key does not count")
    void subkeyBindingAndRevocation() throws Exception {
        PGPKeyPair primary = ed25519();
        PGPKeyPair signing = ed25519();
        PGPKeyPair encryptOnly = ed25519();
        PGPKeyRingGenerator generator = ring(primary, KeyFlags.CERTIFY_OTHER, 0);
        addSubkey(generator, signing, KeyFlags.SIGN_DATA, 0);
        addSubkey(generator, encryptOnly, KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE, 0);
        PGPPublicKeyRing ring = generator.generatePublicKeyRing();
        PGPPublicKey owner = ring.getPublicKey();
        PGPPublicKey sub = ring.getPublicKey(signing.getKeyID());
        String primaryFpr = PgpKeys.fingerprint(owner);
        String subFpr = PgpKeys.fingerprint(sub);

        assertThat(policy.checkKeyAndTimes(new KeyInRing(owner, sub), signedAt(signing, day(1)), day(2)))
                .isEmpty();

        PGPSignatureGenerator revoke =
                new PGPSignatureGenerator(signer(primary, HashAlgorithmTags.SHA256), primary.getPublicKey());
        revoke.init(PGPSignature.SUBKEY_REVOCATION, primary.getPrivateKey());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, Date.from(day(3)));
        revoke.setHashedSubpackets(hashed.generate());
        PGPPublicKey revoked = PGPPublicKey.addCertification(sub, revoke.generateCertification(owner, sub));
        assertThat(policy.checkKeyAndTimes(new KeyInRing(owner, revoked), signedAt(signing, day(1)), day(4)))
                .contains(new Rejected(
                        Reason.KEY_REVOKED,
                        "signing subkey " + subFpr + " of key " + primaryFpr + " was revoked at " + day(3)));

        PGPPublicKey encryption = ring.getPublicKey(encryptOnly.getKeyID());
        assertThat(policy.checkKeyAndTimes(new KeyInRing(owner, encryption), signedAt(encryptOnly, day(1)), day(2)))
                .contains(new Rejected(
                        Reason.KEY_NOT_FOR_SIGNING,
                        "subkey " + PgpKeys.fingerprint(encryption) + " of key " + primaryFpr
                                + " is not bound for signing data"));

        PGPPublicKey stranger = ring(ed25519(), KeyFlags.CERTIFY_OTHER, 0)
                .generatePublicKeyRing()
                .getPublicKey();
        Optional<Rejected> claimed =
                policy.checkKeyAndTimes(new KeyInRing(stranger, sub), signedAt(signing, day(1)), day(2));
        assertThat(claimed)
                .contains(new Rejected(
                        Reason.KEY_NOT_FOR_SIGNING,
                        "subkey " + subFpr + " has no valid binding signature by key "
                                + PgpKeys.fingerprint(stranger)));
    }
}
