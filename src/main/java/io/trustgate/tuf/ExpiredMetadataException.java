package io.trustgate.tuf;

import java.time.Instant;

/** A role's metadata expired before the reference time of the update (freeze attack protection). */
public final class ExpiredMetadataException extends TrustDataException {
    private final Instant expires;
    private final Instant referenceTime;

    public ExpiredMetadataException(String role, Instant expires, Instant referenceTime) {
        super(role, role + " metadata expired at " + expires + " (reference time " + referenceTime + ")");
        this.expires = expires;
        this.referenceTime = referenceTime;
    }

    public Instant expires() {
        return expires;
    }

    public Instant referenceTime() {
        return referenceTime;
    }
}
