package io.trustgate.cosign;

/** A keyless identity rule ({@code issuer}, {@code subject} or {@code subjectRegExp}) is not usable. */
public final class InvalidIdentityException extends Exception {

    public InvalidIdentityException(String message) {
        super(message);
    }
}
