package io.trustgate.pgp;

/** The size and time limits of the OpenPGP verifiers, kept in one place. */
public final class PgpLimits {

    /** Largest simple-signing signature file read (upstream lookaside signatures are a few KiB). */
    public static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    /** Largest signed JSON payload accepted inside a simple-signing signature (bounds decompression too). */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    /** Largest keyring given as trusted keys. */
    public static final int MAX_KEYRING_BYTES = 4 * 1024 * 1024;

    /** Largest detached {@code .sig} file of a signature package. */
    public static final int MAX_DETACHED_SIGNATURE_BYTES = 64 * 1024;

    /** Most {@code .sig} files examined beside one image tar. */
    public static final int MAX_PACKAGE_SIGNATURES = 64;

    /** Read buffer when hashing a (possibly large) image tar. */
    static final int STREAM_BUFFER_BYTES = 64 * 1024;

    private PgpLimits() {
    }
}
