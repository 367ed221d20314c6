package io.trustgate.notary;

import io.trustgate.tuf.TrustDataException;

/**
 * A delegated targets role whose trust data failed verification, left out of an update.
 *
 * @param role  e.g. {@code targets/releases}
 * @param error the verification failure, with its evidence (expiry, versions, keys...)
 */
public record RejectedRole(String role, TrustDataException error) {

    /** The failure in one line. */
    public String reason() {
        return error.getMessage() == null
                ? error.getClass().getSimpleName()
                : error.getMessage().replace('\n', ' ');
    }
}
