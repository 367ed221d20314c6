package io.trustgate.notary;

import io.trustgate.tuf.TrustDataException;

/** The Notary server has no such metadata file for the repository (HTTP 404). */
public final class TrustDataNotFoundException extends TrustDataException {
    private final String gun;

    public TrustDataNotFoundException(String gun, String roleFile) {
        super(roleFile, "the Notary server has no " + roleFile + ".json for " + gun);
        this.gun = gun;
    }

    /**
     * No stack trace: a missing {@code <n+1>.root} is how every update learns its root is the final one, so this
     * is thrown on the normal path of each new repository; the role and repository are its whole evidence.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public String gun() {
        return gun;
    }
}
