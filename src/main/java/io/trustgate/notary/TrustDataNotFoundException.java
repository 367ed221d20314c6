package io.trustgate.notary;

import io.trustgate.tuf.TrustDataException;

/** The Notary server has no such metadata file for the repository (HTTP 404). */
public final class TrustDataNotFoundException extends TrustDataException {
    private final String gun;

    public TrustDataNotFoundException(String gun, String roleFile) {
        super(roleFile, "the Notary server has no " + roleFile + ".json for " + gun);
        this.gun = gun;
    }

    public String gun() {
        return gun;
    }
}
