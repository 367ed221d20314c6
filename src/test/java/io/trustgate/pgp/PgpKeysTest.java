package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Reading trusted OpenPGP keys: binary and armoured input, the limits and refusals, and finding the key that made
 * a signature. Keys are built with Bouncy Castle; gpg-exported keys are read in {@link SimpleSigningTest}.
 */
class PgpKeysTest {

    private static final Date CREATED = Date.from(Instant.parse("2026-01-01T00:00:00Z"));

    private static PGPKeyPair alice;
    private static PGPKeyPair aliceSigning;
    private static PGPKeyRingGenerator aliceRing;
    private static PGPKeyPair bob;
    private static PGPKeyRingGenerator bobRing;

    @BeforeAll
    static void keys() throws Exception {
        alice = ed25519();
        aliceSigning = ed25519();
        aliceRing = ring(alice, "Alice <alice@example.test>");
        PGPSignatureSubpacketGenerator flags = new PGPSignatureSubpacketGenerator();
        flags.setKeyFlags(false, KeyFlags.SIGN_DATA);
        aliceRing.addSubKey(aliceSigning, flags.generate(), null, signer(aliceSigning));
        bob = ed25519();
        bobRing = ring(bob, "Bob <bob@example.test>");
    }

    private static PGPKeyPair ed25519() throws Exception {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), CREATED);
    }

    private static BcPGPContentSignerBuilder signer(PGPKeyPair pair) {
        return new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256);
    }

    private static PGPKeyRingGenerator ring(PGPKeyPair primary, String userId) throws Exception {
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        return new PGPKeyRingGenerator(
                PGPSignature.POSITIVE_CERTIFICATION,
                primary,
                userId,
                new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                hashed.generate(),
                null,
                signer(primary),
                null);
    }

    private static byte[] armour(byte[] binary) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armoured = new ArmoredOutputStream(out)) {
            armoured.write(binary);
        }
        return out.toByteArray();
    }

    private static String fingerprintOf(PGPKeyPair key) {
        return PgpKeys.fingerprint(key.getPublicKey());
    }

    /** A data signature by {@code key}, with or without the issuer fingerprint subpacket. */
    private static PGPSignature signature(PGPKeyPair key, boolean issuerFingerprint) throws Exception {
        return signature(key, issuerFingerprint, key.getKeyID());
    }

    /** As above, with {@code issuerKeyId} in the unhashed issuer subpacket (which anyone may rewrite). */
    private static PGPSignature signature(PGPKeyPair key, boolean issuerFingerprint, long issuerKeyId)
            throws Exception {
        PGPSignatureGenerator generator = new PGPSignatureGenerator(signer(key), key.getPublicKey());
        generator.init(PGPSignature.BINARY_DOCUMENT, key.getPrivateKey());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, CREATED);
        if (issuerFingerprint) {
            hashed.setIssuerFingerprint(false, key.getPublicKey());
        }
        generator.setHashedSubpackets(hashed.generate());
        PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
        unhashed.setIssuerKeyID(false, issuerKeyId);
        generator.setUnhashedSubpackets(unhashed.generate());
        generator.update("data".getBytes(StandardCharsets.UTF_8));
        // Read back from its bytes, as a verifier sees it: the key id then comes from the issuer subpacket.
        PGPSignatureList read =
                (PGPSignatureList) new BcPGPObjectFactory(generator.generate().getEncoded()).nextObject();
        return read.get(0);
    }

    @Test
    @DisplayName("binary and armoured keyrings read alike; fingerprints are 40 upper-case hex digits in input order")
    void binaryAndArmoured() throws Exception {
        byte[] aliceBinary = aliceRing.generatePublicKeyRing().getEncoded();
        byte[] bobArmoured = armour(bobRing.generatePublicKeyRing().getEncoded());

        PgpKeys keys = PgpKeys.parse(aliceBinary, bobArmoured);

        assertThat(keys.primaryFingerprints()).containsExactly(fingerprintOf(alice), fingerprintOf(bob));
        assertThat(keys.primaryFingerprints()).allSatisfy(f -> assertThat(f).matches("[0-9A-F]{40}"));
        assertThat(keys).hasToString("PgpKeys[" + fingerprintOf(alice) + ", " + fingerprintOf(bob) + "]");
        assertThat(PgpKeys.parse(new String(bobArmoured, StandardCharsets.US_ASCII))
                        .primaryFingerprints())
                .containsExactly(fingerprintOf(bob));
    }

    @Test
    @DisplayName("two armoured blocks in one input are both read, and a key given twice is kept once")
    void severalBlocksAndDuplicates() throws Exception {
        String both = new String(armour(bobRing.generatePublicKeyRing().getEncoded()), StandardCharsets.US_ASCII)
                + "\nsome text between blocks\n"
                + new String(armour(aliceRing.generatePublicKeyRing().getEncoded()), StandardCharsets.US_ASCII);
        assertThat(PgpKeys.parse(both).primaryFingerprints()).containsExactly(fingerprintOf(bob), fingerprintOf(alice));
        assertThat(PgpKeys.parse(
                                both.getBytes(StandardCharsets.US_ASCII),
                                aliceRing.generatePublicKeyRing().getEncoded())
                        .primaryFingerprints())
                .hasSize(2);
    }

    @Test
    @DisplayName("no input, an empty input, or one over the keyring limit is refused, naming which input")
    void limits() throws Exception {
        byte[] good = bobRing.generatePublicKeyRing().getEncoded();
        assertThatThrownBy(() -> PgpKeys.parse(new byte[0][]))
                .isInstanceOf(PgpKeyException.class)
                .hasMessage("no key material given");
        assertThatThrownBy(() -> PgpKeys.parse((String) null))
                .isInstanceOf(PgpKeyException.class)
                .hasMessage("no key material given");
        assertThatThrownBy(() -> PgpKeys.parse(good, new byte[0]))
                .isInstanceOf(PgpKeyException.class)
                .hasMessage("key input 2 is empty");

        byte[] huge = Arrays.copyOf(good, PgpLimits.MAX_KEYRING_BYTES + 1);
        assertThatThrownBy(() -> PgpKeys.parse(huge))
                .isInstanceOf(PgpKeyException.class)
                .hasMessage("key input 1 has " + (PgpLimits.MAX_KEYRING_BYTES + 1) + " bytes, more than the limit of "
                        + PgpLimits.MAX_KEYRING_BYTES);
        byte[] atLimit = Arrays.copyOf(good, PgpLimits.MAX_KEYRING_BYTES);
        assertThatThrownBy(() -> PgpKeys.parse(atLimit))
                .as("at the limit the bytes are parsed (and the zeros fail)")
                .isInstanceOf(PgpKeyException.class)
                .message()
                .doesNotContain("more than the limit");
    }

    @Test
    @DisplayName("secret keys, signatures, an unterminated armour block and garbage are refused with the reason")
    void refusals() throws Exception {
        assertThatThrownBy(() -> PgpKeys.parse(bobRing.generateSecretKeyRing().getEncoded()))
                .isInstanceOf(PgpKeyException.class)
                .hasMessage("secret key material was given where only public keys are expected");
        assertThatThrownBy(() -> PgpKeys.parse(armour(signature(bob, true).getEncoded())))
                .isInstanceOf(PgpKeyException.class)
                .hasMessage("unexpected OpenPGP packet PGPSignatureList in a public keyring");
        String armoured = new String(armour(bobRing.generatePublicKeyRing().getEncoded()), StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> PgpKeys.parse(armoured.substring(0, armoured.indexOf("-----END"))))
                .isInstanceOf(PgpKeyException.class)
                .hasMessage("armour block without an END line");
        assertThatThrownBy(() -> PgpKeys.parse("not a key".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(PgpKeyException.class)
                .hasMessageStartingWith("key input 1 is not an OpenPGP public key");
        assertThatThrownBy(() -> PgpKeys.parse("-----BEGIN PUBLIC KEY-----\nMFk\n-----END PUBLIC KEY-----\n"))
                .as("PEM is not OpenPGP")
                .isInstanceOf(PgpKeyException.class);
    }

    @Test
    @DisplayName("the key that made a signature is found by issuer fingerprint, with its primary, or else by key id")
    void findSigner() throws Exception {
        PgpKeys keys = PgpKeys.parse(
                aliceRing.generatePublicKeyRing().getEncoded(),
                bobRing.generatePublicKeyRing().getEncoded());

        PgpKeys.KeyInRing bySubkey =
                keys.findSigner(signature(aliceSigning, true)).orElseThrow();
        assertThat(PgpKeys.fingerprint(bySubkey.key())).isEqualTo(fingerprintOf(aliceSigning));
        assertThat(PgpKeys.fingerprint(bySubkey.primary())).isEqualTo(fingerprintOf(alice));
        assertThat(bySubkey.isPrimary()).isFalse();

        PgpKeys.KeyInRing byKeyId = keys.findSigner(signature(bob, false)).orElseThrow();
        assertThat(byKeyId.isPrimary()).isTrue();
        assertThat(PgpKeys.fingerprint(byKeyId.key())).isEqualTo(fingerprintOf(bob));

        PGPKeyPair stranger = ed25519();
        assertThat(keys.findSigner(signature(stranger, true))).isEmpty();
        assertThat(keys.findSigner(signature(stranger, false))).isEmpty();
        assertThat(keys.findSigner(signature(stranger, true, bob.getKeyID())))
                .as("an issuer fingerprint that is not trusted is not second-guessed by a key id")
                .isEmpty();
        assertThat(PgpKeys.keyId(0x1234L)).isEqualTo("0000000000001234");
    }

    @Test
    @DisplayName("a keyring of exactly the byte limit is read; one byte more is refused before parsing")
    void keyringBytesAtTheLimit() throws Exception {
        byte[] armoured = armour(bobRing.generatePublicKeyRing().getEncoded());
        // Text before an armour block is skipped, so padding brings a valid keyring to exactly the limit.
        byte[] atLimit = new byte[PgpLimits.MAX_KEYRING_BYTES];
        Arrays.fill(atLimit, (byte) 'x');
        atLimit[atLimit.length - armoured.length - 1] = '\n';
        System.arraycopy(armoured, 0, atLimit, atLimit.length - armoured.length, armoured.length);
        assertThat(PgpKeys.parse(atLimit).primaryFingerprints()).containsExactly(fingerprintOf(bob));

        byte[] over = Arrays.copyOf(atLimit, atLimit.length + 1);
        over[over.length - 1] = '\n';
        assertThatThrownBy(() -> PgpKeys.parse(over))
                .isInstanceOf(PgpKeyException.class)
                .hasMessageContaining("more than the limit of " + PgpLimits.MAX_KEYRING_BYTES);
    }

    @Test
    @DisplayName("a keyring of exactly the key limit is read; one key more, in one input or across inputs, is refused")
    void keysPerKeyringAtTheLimit() throws Exception {
        byte[] atLimit = TestKeyrings.binary(PgpLimits.MAX_KEYRING_KEYS);
        assertThat(PgpKeys.parse(atLimit).primaryFingerprints()).hasSize(PgpLimits.MAX_KEYRING_KEYS);

        byte[] oneMore = bobRing.generatePublicKeyRing().getEncoded();
        byte[] over = Arrays.copyOf(atLimit, atLimit.length + oneMore.length);
        System.arraycopy(oneMore, 0, over, atLimit.length, oneMore.length);
        assertThatThrownBy(() -> PgpKeys.parse(over))
                .isInstanceOf(PgpKeyException.class)
                .hasMessageContaining("more than " + PgpLimits.MAX_KEYRING_KEYS + " OpenPGP keys")
                .hasMessageContaining("PgpLimits.MAX_KEYRING_KEYS");
        assertThatThrownBy(() -> PgpKeys.parse(atLimit, armour(oneMore)))
                .as("the keys of several inputs (one signer's blocks) count together")
                .isInstanceOf(PgpKeyException.class)
                .hasMessageContaining("more than " + PgpLimits.MAX_KEYRING_KEYS + " OpenPGP keys");
        assertThatThrownBy(() -> PgpKeys.parse(
                        TestKeyrings.binary(PgpLimits.MAX_KEYRING_KEYS - 1),
                        aliceRing.generatePublicKeyRing().getEncoded()))
                .as("subkeys count: Alice's ring is a primary key and a subkey")
                .isInstanceOf(PgpKeyException.class)
                .hasMessageContaining("more than " + PgpLimits.MAX_KEYRING_KEYS + " OpenPGP keys");
    }

    @Test
    @DisplayName("marker packets in a keyring: exactly the packet bound is skipped; one more is refused naming it")
    void markersInAKeyring() throws Exception {
        byte[] ring = bobRing.generatePublicKeyRing().getEncoded();
        byte[] marker = {(byte) 0xA8, 0x03, 'P', 'G', 'P'};
        java.io.ByteArrayOutputStream at = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < PgpLimits.MAX_PACKETS; i++) {
            at.write(marker);
        }
        at.write(ring);
        assertThat(PgpKeys.parse(at.toByteArray()).primaryFingerprints()).containsExactly(fingerprintOf(bob));

        java.io.ByteArrayOutputStream over = new java.io.ByteArrayOutputStream();
        for (int i = 0; i <= PgpLimits.MAX_PACKETS; i++) {
            over.write(marker);
        }
        over.write(ring);
        assertThatThrownBy(() -> PgpKeys.parse(over.toByteArray()))
                .isInstanceOf(PgpKeyException.class)
                .hasMessageContaining("more than " + PgpLimits.MAX_PACKETS + " marker packets");
    }
}
