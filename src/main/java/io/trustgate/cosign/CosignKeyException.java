package io.trustgate.cosign;

/** Trusted key material is not a cosign public key (PEM ECDSA P-256/P-384, RSA or Ed25519). */
public final class CosignKeyException extends Exception {

    public CosignKeyException(String message) {
        super(message);
    }

    public CosignKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
