package io.trustgate.pgp;

/** A signedIdentity rule in a policy is unknown or malformed. */
public final class InvalidSignedIdentityException extends Exception {

    public InvalidSignedIdentityException(String message) {
        super(message);
    }
}
