package io.trustgate.tuf;

/** Metadata that is not well-formed JSON of the expected TUF shape (missing field, wrong type, float...). */
public final class MalformedMetadataException extends TrustDataException {
    private final String detail;

    public MalformedMetadataException(String role, String detail) {
        super(role, "malformed " + role + " metadata: " + detail);
        this.detail = detail;
    }

    public MalformedMetadataException(String role, String detail, Throwable cause) {
        super(role, "malformed " + role + " metadata: " + detail, cause);
        this.detail = detail;
    }

    public String detail() {
        return detail;
    }
}
