package io.trustgate.tuf;

/**
 * Every bound the TUF client applies, in one place.
 *
 * @param maxMetadataBytes largest metadata file accepted when the parent role gives no length
 *                         (root, timestamp, and roles whose meta has no length)
 * @param maxDelegations   most delegated roles loaded in one update
 * @param maxRootRotations most {@code <n>.root.json} versions walked in one update
 */
public record Limits(long maxMetadataBytes, int maxDelegations, int maxRootRotations) {

    /** 4 MiB per file, 256 delegations, 64 root rotations: far above what Docker Hub serves. */
    public static final Limits DEFAULT = new Limits(4L * 1024 * 1024, 256, 64);

    public Limits {
        if (maxMetadataBytes <= 0 || maxDelegations < 0 || maxRootRotations < 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxMetadataBytes + ", "
                    + maxDelegations + ", " + maxRootRotations);
        }
    }
}
