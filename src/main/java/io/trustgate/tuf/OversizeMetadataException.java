package io.trustgate.tuf;

/** A metadata file is larger than the maximum allowed for it (endless data attack). */
public final class OversizeMetadataException extends TrustDataException {
    private final long maxBytes;
    private final long actualBytes;

    public OversizeMetadataException(String role, long maxBytes, long actualBytes) {
        super(role, role + " metadata is " + actualBytes + " bytes, more than the allowed " + maxBytes);
        this.maxBytes = maxBytes;
        this.actualBytes = actualBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public long actualBytes() {
        return actualBytes;
    }
}
