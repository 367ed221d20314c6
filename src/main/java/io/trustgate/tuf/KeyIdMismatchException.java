package io.trustgate.tuf;

/** A key is listed under an id that is not the sha256 of its canonical key object. */
public final class KeyIdMismatchException extends TrustDataException {
    private final String declaredKeyId;
    private final String computedKeyId;

    public KeyIdMismatchException(String role, String declaredKeyId, String computedKeyId) {
        super(role, role + " metadata lists a key under id " + declaredKeyId + " but the key's id is " + computedKeyId);
        this.declaredKeyId = declaredKeyId;
        this.computedKeyId = computedKeyId;
    }

    public String declaredKeyId() {
        return declaredKeyId;
    }

    public String computedKeyId() {
        return computedKeyId;
    }
}
