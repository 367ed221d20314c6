package io.trustgate.cosign;

/** A {@code sha256-<hex>.sig} manifest is not the shape cosign writes, or exceeds the limits. */
public final class InvalidSignatureManifestException extends Exception {

    public InvalidSignatureManifestException(String message) {
        super(message);
    }
}
