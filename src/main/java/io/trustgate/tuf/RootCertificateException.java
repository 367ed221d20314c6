package io.trustgate.tuf;

import java.util.Map;

/**
 * No root key has a usable certificate: Notary requires a leaf certificate whose common name is the GUN
 * and that is valid at the reference time.
 */
public final class RootCertificateException extends TrustDataException {
    private final String gun;
    private final Map<String, String> problemsByKeyId;

    public RootCertificateException(String gun, Map<String, String> problemsByKeyId) {
        super("root", "root of " + gun + " has no valid leaf certificate for the GUN: " + problemsByKeyId);
        this.gun = gun;
        this.problemsByKeyId = Map.copyOf(problemsByKeyId);
    }

    public String gun() {
        return gun;
    }

    /** For every root key that was rejected, why (CN mismatch, expired, not yet valid, CA certificate...). */
    public Map<String, String> problemsByKeyId() {
        return problemsByKeyId;
    }
}
