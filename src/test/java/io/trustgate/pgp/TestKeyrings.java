package io.trustgate.pgp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/** Keyrings of many throwaway Ed25519 keys (one primary key each, no subkey), made with Bouncy Castle. */
public final class TestKeyrings {

    private static final Date CREATED = Date.from(Instant.parse("2026-01-01T00:00:00Z"));
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeyrings() {}

    /** {@code keys} public keyrings of one Ed25519 primary key each, concatenated (binary). */
    public static byte[] binary(int keys) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < keys; i++) {
                out.write(ring(i).generatePublicKeyRing().getEncoded());
            }
            return out.toByteArray();
        } catch (IOException | PGPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same, as one ASCII-armoured block. */
    public static String armoured(int keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armour = new ArmoredOutputStream(out)) {
            armour.write(binary(keys));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static PGPKeyRingGenerator ring(int index) throws PGPException {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(RANDOM));
        PGPKeyPair pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), CREATED);
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        return new PGPKeyRingGenerator(
                PGPSignature.POSITIVE_CERTIFICATION,
                pair,
                "Signer " + index + " <signer" + index + "@example.test>",
                new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                hashed.generate(),
                null,
                new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
                null);
    }
}
