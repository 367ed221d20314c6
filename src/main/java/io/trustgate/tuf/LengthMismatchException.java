package io.trustgate.tuf;

/** A metadata file's length differs from the length its parent role commits to. */
public final class LengthMismatchException extends TrustDataException {
    private final long expectedLength;
    private final long actualLength;

    public LengthMismatchException(String role, long expectedLength, long actualLength) {
        super(role, role + " is " + actualLength + " bytes but its parent metadata expects " + expectedLength);
        this.expectedLength = expectedLength;
        this.actualLength = actualLength;
    }

    public long expectedLength() {
        return expectedLength;
    }

    public long actualLength() {
        return actualLength;
    }
}
