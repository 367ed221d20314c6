package io.trustgate.tuf;

/** A key object whose type or public value cannot be used (unknown key type, undecodable key). */
public final class UnsupportedKeyException extends TrustDataException {
    private final String keyId;
    private final String keyType;

    public UnsupportedKeyException(String role, String keyId, String keyType, String detail) {
        super(role, "key " + keyId + " of type " + keyType + " in " + role + " metadata is unusable: " + detail);
        this.keyId = keyId;
        this.keyType = keyType;
    }

    public String keyId() {
        return keyId;
    }

    public String keyType() {
        return keyType;
    }
}
