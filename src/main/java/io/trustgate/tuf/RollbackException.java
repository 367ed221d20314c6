package io.trustgate.tuf;

/** A role's version is lower than the highest version already trusted for it (rollback attack). */
public final class RollbackException extends TrustDataException {
    private final long trustedVersion;
    private final long newVersion;

    public RollbackException(String role, long trustedVersion, long newVersion) {
        super(
                role,
                role + " version " + newVersion + " is older than the trusted version " + trustedVersion
                        + " (rollback)");
        this.trustedVersion = trustedVersion;
        this.newVersion = newVersion;
    }

    public long trustedVersion() {
        return trustedVersion;
    }

    public long newVersion() {
        return newVersion;
    }
}
