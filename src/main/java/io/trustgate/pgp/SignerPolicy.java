package io.trustgate.pgp;

import io.trustgate.pgp.PgpKeys.KeyInRing;
import io.trustgate.pgp.SignatureCheck.Reason;
import io.trustgate.pgp.SignatureCheck.Rejected;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.PGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Decides whether a data signature's key and times make it count, once its cryptography is checked.
 *
 * <p>A signature counts when it was made by a trusted primary key, or by a subkey that the primary key
 * binds for signing (binding signature and the subkey's back-signature both verify), neither key is
 * revoked, neither key had expired when the signature was made nor has expired at the reference time,
 * and the signature itself has not expired. Revocations count only when their signature by the primary
 * key verifies; any reason for revocation counts.
 *
 * <p>A creation time after the reference time is not rejected, as in containers/image: expiry is
 * measured from the signed creation time, which a forger cannot move.
 */
final class SignerPolicy {

    private final PGPContentVerifierBuilderProvider verifiers = new BcPGPContentVerifierBuilderProvider();

    PGPContentVerifierBuilderProvider verifiers() {
        return verifiers;
    }

    /** Rejects signature types other than data signatures, and broken hash algorithms. */
    Optional<Rejected> checkForm(PGPSignature signature) {
        int type = signature.getSignatureType();
        if (type != PGPSignature.BINARY_DOCUMENT && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
            return reject(
                    Reason.MALFORMED_SIGNATURE,
                    String.format(
                            "signature by key %s has type 0x%02x, not a signature over data",
                            PgpKeys.keyId(signature.getKeyID()), type));
        }
        int hash = signature.getHashAlgorithm();
        if (hash == HashAlgorithmTags.MD5
                || hash == HashAlgorithmTags.SHA1
                || hash == HashAlgorithmTags.RIPEMD160
                || hash == HashAlgorithmTags.MD2) {
            return reject(
                    Reason.UNSUPPORTED_ALGORITHM,
                    "signature by key " + PgpKeys.keyId(signature.getKeyID()) + " uses hash algorithm " + hash
                            + ", which is too weak to trust");
        }
        return Optional.empty();
    }

    static Rejected untrusted(long keyId, PgpKeys trusted) {
        return new Rejected(
                Reason.UNTRUSTED_KEY,
                "signature by key " + PgpKeys.keyId(keyId) + " is not from a trusted key (trusted: "
                        + String.join(", ", trusted.primaryFingerprints()) + ")");
    }

    /** Checks the signing key's binding, revocation and expiry, and the signature's own times, at {@code now}. */
    Optional<Rejected> checkKeyAndTimes(KeyInRing signer, PGPSignature signature, Instant now) {
        PGPPublicKey primary = signer.primary();
        String primaryFpr = PgpKeys.fingerprint(primary);
        Instant created = signature.getCreationTime().toInstant();

        PGPSignatureSubpacketVector hashed = signature.getHashedSubPackets(); // null for v3 signatures
        if (hashed != null && hashed.getSignatureExpirationTime() > 0) {
            Instant expires = created.plusSeconds(hashed.getSignatureExpirationTime());
            if (!now.isBefore(expires)) {
                return reject(
                        Reason.SIGNATURE_EXPIRED, "signature expired at " + expires + " (reference time " + now + ")");
            }
        }

        Optional<Instant> revoked = revocationOfPrimary(primary);
        if (revoked.isPresent()) {
            return reject(Reason.KEY_REVOKED, "key " + primaryFpr + " was revoked at " + revoked.get());
        }
        Optional<Rejected> primaryExpiry = checkExpiry(
                "key " + primaryFpr, primary.getCreationTime().toInstant(), primary.getValidSeconds(), created, now);
        if (primaryExpiry.isPresent()) {
            return primaryExpiry;
        }
        if (signer.isPrimary()) {
            int flags = primaryKeyFlags(primary);
            if (flags != 0 && (flags & KeyFlags.SIGN_DATA) == 0) {
                return reject(Reason.KEY_NOT_FOR_SIGNING, "key " + primaryFpr + " is not marked for signing data");
            }
            return Optional.empty();
        }
        return checkSubkey(primary, signer.key(), created, now);
    }

    private Optional<Rejected> checkSubkey(PGPPublicKey primary, PGPPublicKey subkey, Instant created, Instant now) {
        String subFpr = PgpKeys.fingerprint(subkey);
        String primaryFpr = PgpKeys.fingerprint(primary);
        Iterator<PGPSignature> revocations = subkey.getSignaturesOfType(PGPSignature.SUBKEY_REVOCATION);
        while (revocations.hasNext()) {
            PGPSignature revocation = revocations.next();
            if (verifiesSubkeyCertification(revocation, primary, primary, subkey)) {
                return reject(
                        Reason.KEY_REVOKED,
                        "signing subkey " + subFpr + " of key " + primaryFpr + " was revoked at "
                                + revocation.getCreationTime().toInstant());
            }
        }
        PGPSignature binding = latestValidBinding(primary, subkey);
        if (binding == null) {
            return reject(
                    Reason.KEY_NOT_FOR_SIGNING,
                    "subkey " + subFpr + " has no valid binding signature by key " + primaryFpr);
        }
        PGPSignatureSubpacketVector hashed = binding.getHashedSubPackets();
        int flags = hashed == null ? 0 : hashed.getKeyFlags();
        if (flags != 0 && (flags & KeyFlags.SIGN_DATA) == 0) {
            return reject(
                    Reason.KEY_NOT_FOR_SIGNING,
                    "subkey " + subFpr + " of key " + primaryFpr + " is not bound for signing data");
        }
        if (!hasValidBackSignature(binding, primary, subkey)) {
            return reject(
                    Reason.KEY_NOT_FOR_SIGNING,
                    "signing subkey " + subFpr + " of key " + primaryFpr
                            + " has no valid back-signature (not cross-certified)");
        }
        long validSeconds = hashed == null ? 0 : hashed.getKeyExpirationTime();
        return checkExpiry(
                "subkey " + subFpr + " of key " + primaryFpr,
                subkey.getCreationTime().toInstant(),
                validSeconds,
                created,
                now);
    }

    private static Optional<Rejected> checkExpiry(
            String what, Instant keyCreated, long validSeconds, Instant signatureCreated, Instant now) {
        if (validSeconds <= 0) {
            return Optional.empty();
        }
        Instant expires = keyCreated.plusSeconds(validSeconds);
        if (!signatureCreated.isBefore(expires)) {
            return reject(
                    Reason.KEY_EXPIRED,
                    "signature made at " + signatureCreated + " after " + what + " expired at " + expires);
        }
        if (!now.isBefore(expires)) {
            return reject(Reason.KEY_EXPIRED, what + " expired at " + expires + " (reference time " + now + ")");
        }
        return Optional.empty();
    }

    private Optional<Instant> revocationOfPrimary(PGPPublicKey primary) {
        Iterator<PGPSignature> revocations = primary.getSignaturesOfType(PGPSignature.KEY_REVOCATION);
        while (revocations.hasNext()) {
            PGPSignature revocation = revocations.next();
            try {
                // Key objects are shared between threads; init() keeps state in the signature object.
                synchronized (revocation) {
                    revocation.init(verifiers, primary);
                    if (revocation.verifyCertification(primary)) {
                        return Optional.of(revocation.getCreationTime().toInstant());
                    }
                }
            } catch (PGPException | RuntimeException e) {
                // A revocation that does not verify (or is by a designated revoker we do not hold) is ignored.
            }
        }
        return Optional.empty();
    }

    /** Key flags of the newest self-certification or direct-key signature that carries any; 0 when none does. */
    private static int primaryKeyFlags(PGPPublicKey primary) {
        int flags = 0;
        Instant newest = Instant.MIN;
        Iterator<PGPSignature> signatures = primary.getSignatures();
        while (signatures.hasNext()) {
            PGPSignature signature = signatures.next();
            if (signature.getKeyID() != primary.getKeyID()
                    || !(signature.isCertification() || signature.getSignatureType() == PGPSignature.DIRECT_KEY)) {
                continue;
            }
            PGPSignatureSubpacketVector hashed = signature.getHashedSubPackets();
            Instant created = signature.getCreationTime().toInstant();
            if (hashed != null && hashed.getKeyFlags() != 0 && created.isAfter(newest)) {
                flags = hashed.getKeyFlags();
                newest = created;
            }
        }
        return flags;
    }

    private PGPSignature latestValidBinding(PGPPublicKey primary, PGPPublicKey subkey) {
        PGPSignature latest = null;
        Iterator<PGPSignature> bindings = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING);
        while (bindings.hasNext()) {
            PGPSignature binding = bindings.next();
            if (verifiesSubkeyCertification(binding, primary, primary, subkey)
                    && (latest == null
                            || binding.getCreationTime()
                                    .toInstant()
                                    .isAfter(latest.getCreationTime().toInstant()))) {
                latest = binding;
            }
        }
        return latest;
    }

    private boolean hasValidBackSignature(PGPSignature binding, PGPPublicKey primary, PGPPublicKey subkey) {
        try {
            PGPSignatureSubpacketVector hashed = binding.getHashedSubPackets();
            PGPSignatureSubpacketVector unhashed = binding.getUnhashedSubPackets();
            for (PGPSignatureSubpacketVector vector : new PGPSignatureSubpacketVector[] {hashed, unhashed}) {
                if (vector == null) {
                    continue;
                }
                PGPSignatureList embedded = vector.getEmbeddedSignatures();
                for (PGPSignature back : embedded) {
                    if (back.getSignatureType() == PGPSignature.PRIMARYKEY_BINDING
                            && verifiesSubkeyCertification(back, subkey, primary, subkey)) {
                        return true;
                    }
                }
            }
        } catch (PGPException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private boolean verifiesSubkeyCertification(
            PGPSignature signature, PGPPublicKey signer, PGPPublicKey primary, PGPPublicKey subkey) {
        try {
            // Key objects are shared between threads; init() keeps state in the signature object.
            synchronized (signature) {
                signature.init(verifiers, signer);
                return signature.verifyCertification(primary, subkey);
            }
        } catch (PGPException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<Rejected> reject(Reason reason, String detail) {
        return Optional.of(new Rejected(reason, detail));
    }
}
