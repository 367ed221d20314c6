package io.trustgate.pgp;

/** The size and time limits of the OpenPGP verifiers, kept in one place. */
public final class PgpLimits {

    /** Largest simple-signing signature file read (upstream lookaside signatures are a few KiB). */
    public static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    /** Largest signed JSON payload accepted inside a simple-signing signature (bounds decompression too). */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    /**
     * Most bytes read out of a compressed-data packet: the largest payload plus room for the one-pass
     * signature and signature packets. Deflate inflates up to ~1000:1, so without this bound a 64 KiB
     * signature file could inflate to 64 MiB of packets.
     */
    public static final int MAX_DECOMPRESSED_BYTES = MAX_PAYLOAD_BYTES + 64 * 1024;

    /**
     * Most OpenPGP packets (marker packets included) read from one signature file, compressed layer included.
     * A simple signature has four (compressed data, one-pass signature, literal data, signature).
     */
    public static final int MAX_PACKETS = 16;

    /** Largest keyring given as trusted keys. */
    public static final int MAX_KEYRING_BYTES = 4 * 1024 * 1024;

    /**
     * Most OpenPGP public keys (primary keys and subkeys together) in one trusted set: one keyring, or all the
     * keys of one signer, which are merged into one set. A distribution's archive keyring has about a dozen.
     */
    public static final int MAX_KEYRING_KEYS = 256;

    /** Largest detached {@code .sig} file of a signature package. */
    public static final int MAX_DETACHED_SIGNATURE_BYTES = 64 * 1024;

    /** Most {@code .sig} files examined beside one image tar. */
    public static final int MAX_PACKAGE_SIGNATURES = 64;

    /** Read buffer when hashing a (possibly large) image tar. */
    static final int STREAM_BUFFER_BYTES = 64 * 1024;

    private PgpLimits() {}
}
