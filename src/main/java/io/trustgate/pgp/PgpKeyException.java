package io.trustgate.pgp;

/** Trusted key material could not be read as OpenPGP public keys. */
public final class PgpKeyException extends Exception {

    public PgpKeyException(String message) {
        super(message);
    }

    public PgpKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
