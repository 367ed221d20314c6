package io.trustgate.cosign;

/** The size limits of the cosign verifier, kept in one place. */
public final class CosignLimits {

    /** Largest simple-signing payload (one layer blob of the {@code .sig} manifest; cosign's are ~250 bytes). */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    /** Largest {@code .sig} manifest read. */
    public static final int MAX_MANIFEST_BYTES = 256 * 1024;

    /** Most signature layers examined in one {@code .sig} manifest (each is one signature). */
    public static final int MAX_SIGNATURE_LAYERS = 64;

    /** Longest base64 signature annotation (an RSA-8192 signature is 1366 characters). */
    public static final int MAX_SIGNATURE_BASE64_CHARS = 4096;

    /** Largest PEM public key text. */
    public static final int MAX_KEY_PEM_CHARS = 16 * 1024;

    /** Smallest RSA modulus accepted. */
    public static final int MIN_RSA_BITS = 2048;

    /** Largest RSA modulus accepted (bounds the cost of one verification). */
    public static final int MAX_RSA_BITS = 8192;

    /** Largest Sigstore bundle read (one referrer layer; a keyless bundle with its chain and proof is ~10 KiB). */
    public static final int MAX_BUNDLE_BYTES = 256 * 1024;

    /** Largest in-toto statement inside a bundle's DSSE envelope. */
    public static final int MAX_STATEMENT_BYTES = 64 * 1024;

    /** Most signatures examined in one DSSE envelope (cosign writes one). */
    public static final int MAX_DSSE_SIGNATURES = 8;

    /** Most subjects examined in one in-toto statement (cosign writes one: the image digest). */
    public static final int MAX_STATEMENT_SUBJECTS = 64;

    /** Most bundle referrers of one digest examined (each is one cosign 3 signature). */
    public static final int MAX_BUNDLES = 32;

    /** Largest {@code trusted_root.json} accepted from a policy. */
    public static final int MAX_TRUSTED_ROOT_CHARS = 1024 * 1024;

    /** Longest certificate identity or issuer text compared, and longest {@code subjectRegExp}. */
    public static final int MAX_IDENTITY_CHARS = 4096;

    private CosignLimits() {}
}
