package io.trustgate.tuf;

/**
 * Every bound the TUF client applies, in one place.
 *
 * @param maxMetadataBytes largest metadata file accepted when the parent role gives no length
 *                         (root, timestamp, and roles whose meta has no length)
 * @param maxDelegations   most delegated roles loaded in one update (this bounds the delegation depth too:
 *                         each level of nesting is a loaded role)
 * @param maxRootRotations most {@code <n>.root.json} versions walked in one update
 */
public record Limits(long maxMetadataBytes, int maxDelegations, int maxRootRotations) {

    /**
     * Signatures read from one role file per key of the role: a root rotation signs with the old and the new
     * key. More than {@link #signatureAllowance} signatures fail the file before any of them is verified.
     */
    public static final int SIGNATURES_PER_KEY = 2;

    /** Signatures always allowed in one role file, however few keys the role has. */
    public static final int MIN_SIGNATURES = 4;

    /** Signatures never allowed beyond in one role file (unless the role's threshold needs more). */
    public static final int MAX_SIGNATURES = 64;

    /**
     * Keys one role may be given: a top-level role's {@code keyids} in root.json, or a delegation's
     * {@code keyids} in its parent targets file (Notary roles have one to four). With
     * {@link #SIGNATURES_PER_KEY} this is what makes {@link #MAX_SIGNATURES} the most any role may need.
     */
    public static final int MAX_KEYS_PER_ROLE = MAX_SIGNATURES / SIGNATURES_PER_KEY;

    /**
     * Keys one file may define: root.json's {@code keys} map, or a targets file's {@code delegations.keys}.
     * Checked before any key is decoded or hashed.
     */
    public static final int MAX_KEYS_PER_FILE = 256;

    /** 4 MiB per file, 256 delegations, 64 root rotations: far above what Docker Hub serves. */
    public static final Limits DEFAULT = new Limits(4L * 1024 * 1024, 256, 64);

    public Limits {
        if (maxMetadataBytes <= 0 || maxDelegations < 0 || maxRootRotations < 0) {
            throw new IllegalArgumentException(
                    "limits must be positive: " + maxMetadataBytes + ", " + maxDelegations + ", " + maxRootRotations);
        }
    }

    /**
     * How many signatures a file of a role with these keys may carry: {@link #SIGNATURES_PER_KEY} per key,
     * at least {@link #MIN_SIGNATURES}, at most {@link #MAX_SIGNATURES}, and never fewer than the threshold.
     */
    public static int signatureAllowance(RoleKeys keys) {
        int perKeys = Math.max(MIN_SIGNATURES, SIGNATURES_PER_KEY * keys.keys().size());
        return Math.max(keys.threshold(), Math.min(MAX_SIGNATURES, perKeys));
    }
}
