package io.trustgate.cosign;

/** A Sigstore bundle is not the shape the bundle specification gives, or exceeds the limits. */
public final class InvalidBundleException extends Exception {

    public InvalidBundleException(String message) {
        super(message);
    }
}
