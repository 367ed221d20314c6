package io.trustgate.notation;

/** The size limits of the Notation verifier, kept in one place. */
public final class NotationLimits {

    /** Largest signature envelope blob (notation's JWS with a 3-certificate chain is about 4 KiB). */
    public static final int MAX_ENVELOPE_BYTES = 64 * 1024;

    /** Largest signature manifest read. */
    public static final int MAX_MANIFEST_BYTES = 64 * 1024;

    /** Most signature manifests examined per image digest. */
    public static final int MAX_SIGNATURES = 16;

    /** Most certificates in an envelope's chain. */
    public static final int MAX_CHAIN_LENGTH = 8;

    /**
     * Deepest nesting of CBOR arrays and maps in a COSE envelope or its protected header (Notation's COSE_Sign1
     * needs 3: the message, a header map, the {@code x5chain} or {@code crit} array).
     */
    public static final int MAX_CBOR_DEPTH = 8;

    /** Most CBOR data items in one COSE envelope or protected header (notation writes about 20). */
    public static final int MAX_CBOR_ITEMS = 128;

    /** Most trusted identities a signer may name. */
    public static final int MAX_IDENTITIES = 64;

    private NotationLimits() {}
}
