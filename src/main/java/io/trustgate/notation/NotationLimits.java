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

    /** Most trusted identities a signer may name. */
    public static final int MAX_IDENTITIES = 64;

    private NotationLimits() {}
}
