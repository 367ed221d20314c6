package io.trustgate.tuf;

/** A role's version differs from the version its parent metadata (or the rotation sequence) commits to. */
public final class VersionMismatchException extends TrustDataException {
    private final long expectedVersion;
    private final long actualVersion;

    public VersionMismatchException(String role, long expectedVersion, long actualVersion) {
        super(role, role + " version " + actualVersion + " differs from the expected version " + expectedVersion);
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    public long actualVersion() {
        return actualVersion;
    }
}
