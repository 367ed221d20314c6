package io.trustgate.tuf;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Verifies a role's signatures over its canonical {@code signed} part against the keys its parent assigns. */
public final class SignatureVerifier {

    /** Notary signs RSA-PSS with SHA-256, MGF1-SHA-256 and a salt as long as the hash. */
    private static final int PSS_SALT_BYTES = 32;

    private static final int PSS_TRAILER_FIELD = 1;
    private static final int BITS_PER_BYTE = 8;
    /** Notary refuses RSA keys shorter than this. */
    private static final int MIN_RSA_BITS = 2048;

    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters P256_DOMAIN =
            new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());

    /**
     * P-256 verifications one update (one {@link Checked}) makes through Bouncy Castle; the ones after it go through
     * the JDK's SunEC. Bouncy Castle's immutable point arithmetic costs about 0.3 ms of CPU but 140-155 KiB of garbage
     * per verification, SunEC's about 1.15 ms but 44 KiB (JDK 17, measured on the bench machine). A usual update
     * verifies 3 to 6 signatures and stays on the fast path; an update at the delegation bound (256 delegated roles,
     * one key each) would allocate 39 MiB in Bouncy Castle alone, and so spends its CPU to keep under the 32 MiB
     * per-review target instead. Either implementation checks the point is on the curve and that r and s lie in
     * [1, n - 1]; the outcome is the same, only the cost differs.
     */
    public static final int FAST_P256_VERIFICATIONS = 32;

    private SignatureVerifier() {}

    /**
     * Checks that distinct keys of {@code keys} made at least {@code keys.threshold()} valid signatures.
     * A file with more signatures than {@link Limits#signatureAllowance} fails with a
     * {@link LimitExceededException} before any is verified. Signatures by keys outside the role, with a
     * method the key type does not allow, or that do not verify are ignored (and reported if the threshold is missed); each key counts once.
     *
     * @return the keys whose signatures verified, in signature order
     */
    public static List<TufKey> verify(SignedMetadata metadata, RoleKeys keys) {
        return verify(metadata, keys, new Checked());
    }

    /**
     * As {@link #verify(SignedMetadata, RoleKeys)}, answering a (signature, public key) pair already checked in
     * {@code checked} from there instead of verifying it again: a Notary root is checked against its own root keys,
     * the pinned ones and the certified ones, all of them usually the same one key over the same bytes.
     */
    public static List<TufKey> verify(SignedMetadata metadata, RoleKeys keys, Checked checked) {
        // Bound the crypto an attacker can make us do: extra signatures fail the file before any is verified.
        int allowance = Limits.signatureAllowance(keys);
        if (metadata.signatures().size() > allowance) {
            throw new LimitExceededException(keys.role(), "signatures", allowance);
        }
        Map<String, TufKey> valid = new LinkedHashMap<>(); // by SPKI id: one public key counts once
        List<ThresholdNotMetException.RejectedSignature> rejected = new ArrayList<>();
        for (Signature sig : metadata.signatures()) {
            TufKey key = keys.keys().get(sig.keyId());
            String problem;
            if (key == null) {
                problem = "not a key of " + keys.role();
            } else if (!key.accepts(sig.method())) {
                problem = "method " + sig.method() + " is not allowed for a " + key.keyType() + " key";
            } else if (!checked.verifies(key, sig, metadata.canonicalSigned())) {
                problem = "signature does not verify";
            } else {
                valid.putIfAbsent(key.spkiId(), key);
                continue;
            }
            rejected.add(new ThresholdNotMetException.RejectedSignature(sig.keyId(), sig.method(), problem));
        }
        if (valid.size() < keys.threshold()) {
            throw new ThresholdNotMetException(
                    keys.role(),
                    keys.threshold(),
                    valid.values().stream().map(TufKey::keyId).collect(Collectors.toSet()),
                    rejected);
        }
        return List.copyOf(valid.values());
    }

    /**
     * P-256 through Bouncy Castle's fixed curve arithmetic: on JDK 17 about 4x less CPU per verification than
     * SunEC's (0.33 vs 1.24 ms once compiled, measured on the bench machine), and Notary's keys are P-256 but for
     * RSA. {@link ECPublicKeyParameters} checks that the point is on the curve; {@link ECDSASigner} that r and s
     * lie in [1, n - 1].
     */
    private static boolean verifiesP256(ECPublicKey key, byte[] rs, byte[] message) {
        ECPoint q =
                P256.getCurve().createPoint(key.getW().getAffineX(), key.getW().getAffineY());
        ECDSASigner ecdsa = new ECDSASigner();
        ecdsa.init(false, new ECPublicKeyParameters(q, P256_DOMAIN));
        byte[] hash = sha256(message);
        int half = rs.length / 2;
        return ecdsa.verifySignature(
                hash,
                new BigInteger(1, Arrays.copyOfRange(rs, 0, half)),
                new BigInteger(1, Arrays.copyOfRange(rs, half, rs.length)));
    }

    /** Whether a JDK EC key is on P-256 (secp256r1), by its field, coefficients, generator and order. */
    private static boolean isP256(ECPublicKey key) {
        ECParameterSpec p = key.getParams();
        return p.getCurve().getField() instanceof ECFieldFp field
                && field.getP().equals(P256.getCurve().getField().getCharacteristic())
                && p.getCurve().getA().equals(P256.getCurve().getA().toBigInteger())
                && p.getCurve().getB().equals(P256.getCurve().getB().toBigInteger())
                && p.getGenerator()
                        .getAffineX()
                        .equals(P256.getG().getAffineXCoord().toBigInteger())
                && p.getGenerator()
                        .getAffineY()
                        .equals(P256.getG().getAffineYCoord().toBigInteger())
                && p.getOrder().equals(P256.getN())
                && p.getCofactor() == 1;
    }

    /**
     * Ed25519 (RFC 8032) through Bouncy Castle: about 6x less CPU than SunEC's on JDK 17 (0.13 vs 0.80 ms once
     * compiled). The raw key is the last 32 bytes of its SubjectPublicKeyInfo, whose form {@link TufKey} fixed.
     */
    private static boolean verifiesEd25519(PublicKey key, byte[] sig, byte[] message) {
        byte[] spki = key.getEncoded();
        if (spki == null || spki.length < Ed25519.PUBLIC_KEY_SIZE || sig.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        return Ed25519.verify(sig, 0, spki, spki.length - Ed25519.PUBLIC_KEY_SIZE, message, 0, message.length);
    }

    private static byte[] sha256(byte[] message) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(message, 0, message.length);
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return out;
    }

    /**
     * The outcomes of the signature checks made so far for one set of metadata: each (signature, public key) pair is
     * verified once. A signature belongs to exactly one parsed file, so it fixes the message; the public key is told
     * by its {@link TufKey#spkiId() SPKI id}, which fixes the algorithm too. Owned by one {@link TrustedMetadataSet}
     * (one update, one thread at a time) and dropped with it: nothing is cached across updates or by name.
     */
    public static final class Checked {
        private final IdentityHashMap<Signature, Map<String, Boolean>> outcomes = new IdentityHashMap<>();
        private int performed;

        boolean verifies(TufKey key, Signature sig, byte[] message) {
            return outcomes.computeIfAbsent(sig, s -> new HashMap<>()).computeIfAbsent(key.spkiId(), id -> {
                performed++;
                return SignatureVerifier.verifies(key, sig, message, performed > FAST_P256_VERIFICATIONS);
            });
        }

        /** How many signatures were verified cryptographically (the rest were answered from earlier checks). */
        public int performed() {
            return performed;
        }
    }

    /** Whether one signature by one key verifies over the message (the method must already be accepted). */
    static boolean verifies(TufKey key, Signature sig, byte[] message) {
        return verifies(key, sig, message, false);
    }

    /**
     * As {@link #verifies(TufKey, Signature, byte[])}; {@code leanP256} sends a P-256 signature to SunEC rather than
     * Bouncy Castle (less garbage, more CPU: see {@link #FAST_P256_VERIFICATIONS}).
     */
    static boolean verifies(TufKey key, Signature sig, byte[] message, boolean leanP256) {
        try {
            java.security.Signature verifier;
            switch (key.keyType()) {
                case TufKey.ECDSA, TufKey.ECDSA_X509 -> {
                    // Notary writes ECDSA as raw r||s, each as long as the curve order
                    int octets = (((ECPublicKey) key.publicKey())
                                            .getParams()
                                            .getOrder()
                                            .bitLength()
                                    + BITS_PER_BYTE
                                    - 1)
                            / BITS_PER_BYTE;
                    if (sig.value().length != 2 * octets) {
                        return false;
                    }
                    if (!leanP256 && isP256((ECPublicKey) key.publicKey())) {
                        return verifiesP256((ECPublicKey) key.publicKey(), sig.value(), message);
                    }
                    verifier = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
                }
                case TufKey.ED25519 -> {
                    return verifiesEd25519(key.publicKey(), sig.value(), message);
                }
                case TufKey.RSA, TufKey.RSA_X509 -> {
                    if (((RSAPublicKey) key.publicKey()).getModulus().bitLength() < MIN_RSA_BITS) {
                        return false;
                    }
                    verifier = java.security.Signature.getInstance("RSASSA-PSS");
                    verifier.setParameter(new PSSParameterSpec(
                            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSS_SALT_BYTES, PSS_TRAILER_FIELD));
                }
                default -> {
                    return false;
                }
            }
            verifier.initVerify(key.publicKey());
            verifier.update(message);
            return verifier.verify(sig.value());
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
