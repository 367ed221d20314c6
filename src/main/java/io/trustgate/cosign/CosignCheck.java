package io.trustgate.cosign;

import java.util.Objects;

/** The outcome of checking one cosign signature: valid with its evidence, or rejected with a reason. */
public sealed interface CosignCheck {

    /** Why a signature was rejected; {@code detail} says it in words for the developer. */
    enum Reason {
        /** The annotation is not base64, is empty or exceeds the limits. */
        MALFORMED_SIGNATURE,
        /** No trusted key verifies the signature over the payload (another key, or altered payload). */
        BAD_SIGNATURE,
        /** The signed payload is not cosign's simple-signing JSON. */
        MALFORMED_PAYLOAD,
        /** {@code critical.type} is not {@code cosign container image signature}. */
        WRONG_TYPE,
        /** The signed manifest digest is not the image's digest. */
        DIGEST_MISMATCH,
        /** The signed docker-reference is not a valid image reference. */
        INVALID_IDENTITY,
        /** The signed docker-reference, or a keyless certificate's identity, does not match the signer's rule. */
        IDENTITY_MISMATCH,
        /** A keyless bundle does not verify against the trusted root (chain, SCT, log entry, validity window). */
        CERTIFICATE
    }

    /**
     * A signature that counts.
     *
     * @param keyId the trusted key that verified it ({@link CosignKey#id()})
     * @param signedReference the {@code docker-reference} exactly as signed
     * @param manifestDigest the signed manifest digest
     */
    record Valid(String keyId, String signedReference, String manifestDigest) implements CosignCheck {
        public Valid {
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(signedReference, "signedReference");
            Objects.requireNonNull(manifestDigest, "manifestDigest");
        }
    }

    /** A signature that does not count, and why. */
    record Rejected(Reason reason, String detail) implements CosignCheck {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return reason + ": " + detail;
        }
    }
}
