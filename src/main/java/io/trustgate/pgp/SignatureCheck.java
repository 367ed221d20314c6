package io.trustgate.pgp;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/** The outcome of checking one simple-signing signature: valid with its evidence, or rejected with a reason. */
public sealed interface SignatureCheck {

    /** Why a signature was rejected; {@code detail} says it in words for the developer. */
    enum Reason {
        /** Not an OpenPGP signed message of the expected shape, or larger than the limits. */
        MALFORMED_SIGNATURE,
        /** The signature was made by a key that is not among the trusted keys. */
        UNTRUSTED_KEY,
        /** The cryptographic check failed: the signed data or the signature was altered. */
        BAD_SIGNATURE,
        /** The signing key (or its subkey) is revoked. */
        KEY_REVOKED,
        /** The signing key was expired when the signature was made, or is expired now. */
        KEY_EXPIRED,
        /** The signing subkey is not bound to its primary key for signing. */
        KEY_NOT_FOR_SIGNING,
        /** The signature carries an expiry that has passed. */
        SIGNATURE_EXPIRED,
        /** The signature uses a hash or signature type that is not accepted. */
        UNSUPPORTED_ALGORITHM,
        /** The signed payload is not the simple-signing JSON (not JSON, missing or unknown fields). */
        MALFORMED_PAYLOAD,
        /** {@code critical.type} is not {@code atomic container signature}. */
        WRONG_TYPE,
        /** The signed manifest digest is not the image's digest. */
        DIGEST_MISMATCH,
        /** The signed docker-reference is not a valid image reference. */
        INVALID_IDENTITY,
        /** The signed docker-reference does not match the image under the signedIdentity rule. */
        IDENTITY_MISMATCH
    }

    /**
     * A signature that counts: made by a trusted key over a payload naming this image.
     *
     * @param primaryFingerprint the signer, always the primary key's fingerprint even when a subkey signed
     * @param signedReference the {@code docker-reference} exactly as signed
     * @param manifestDigest the signed manifest digest
     */
    record Valid(String primaryFingerprint, String signedReference, String manifestDigest) implements SignatureCheck {
        public Valid {
            Objects.requireNonNull(primaryFingerprint, "primaryFingerprint");
            Objects.requireNonNull(signedReference, "signedReference");
            Objects.requireNonNull(manifestDigest, "manifestDigest");
        }
    }

    /** A signature that does not count, and why. */
    record Rejected(Reason reason, String detail) implements SignatureCheck {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return reason + ": " + detail;
        }
    }

    /**
     * The distinct signers (primary fingerprints) among valid checks, in first-seen order: several
     * signatures by one key are one signer.
     */
    static Set<String> distinctSigners(Collection<? extends SignatureCheck> checks) {
        Set<String> signers = new LinkedHashSet<>();
        for (SignatureCheck check : checks) {
            if (check instanceof Valid valid) {
                signers.add(valid.primaryFingerprint());
            }
        }
        return Collections.unmodifiableSet(signers);
    }
}
