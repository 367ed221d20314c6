package io.trustgate.cosign;

/** A policy's {@code trusted_root.json} cannot be read as a Sigstore trusted root. */
public final class InvalidTrustedRootException extends Exception {

    public InvalidTrustedRootException(String message, Throwable cause) {
        super(message, cause);
    }
}
