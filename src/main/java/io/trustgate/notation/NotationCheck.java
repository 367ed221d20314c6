package io.trustgate.notation;

import java.time.Instant;
import java.util.Objects;

/** The outcome of checking one Notation signature: valid with its evidence, or rejected with a reason. */
public sealed interface NotationCheck {

    /** Why a signature was rejected; the detail says it in words for the developer. */
    enum Reason {
        /** Not a JWS envelope trustgate can read, or a field is missing or malformed. */
        MALFORMED_ENVELOPE,
        /** A critical header is unknown, missing from {@code crit}, or the signing scheme is not supported. */
        UNSUPPORTED,
        /** The certificate chain does not lead to one of the signer's trust anchors. */
        UNTRUSTED_CHAIN,
        /** The signature does not verify with the leaf certificate's key (altered envelope). */
        BAD_SIGNATURE,
        /** The signed target artifact is not the image's digest. */
        DIGEST_MISMATCH,
        /** The leaf certificate's subject matches none of the signer's trusted identities. */
        IDENTITY_MISMATCH,
        /** A certificate had expired (or was not yet valid) at signing time or now. */
        EXPIRED_CERTIFICATE,
        /** The signature's {@code io.cncf.notary.expiry} has passed. */
        EXPIRED_SIGNATURE
    }

    /**
     * A signature that counts.
     *
     * @param subject the leaf certificate's subject (RFC 2253)
     * @param anchor the subject of the trust anchor the chain led to
     * @param expiry the signature's expiry, or {@code null}
     */
    record Valid(String subject, String anchor, Instant expiry) implements NotationCheck {
        public Valid {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(anchor, "anchor");
        }
    }

    /** A signature that does not count, and why. */
    record Rejected(Reason reason, String detail) implements NotationCheck {
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
