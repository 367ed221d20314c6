package io.trustgate.notary;

import java.util.concurrent.CompletableFuture;

/** Fetches one Notary metadata file of a repository; the transport (HTTP, in-memory) sits behind it. */
public interface TrustDataFetcher {

    /**
     * Fetches {@code /v2/<gun>/_trust/tuf/<roleFile>.json}.
     *
     * @param gun      the repository, e.g. {@code docker.io/library/nginx}
     * @param roleFile role file names: "root", "2.root", "timestamp", "snapshot", "targets", "targets/releases"
     * @param maxBytes stop reading after this many bytes (the verifier rejects longer files anyway)
     * @return the bytes as served; completes exceptionally with {@link TrustDataNotFoundException} on 404
     */
    CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes);

    /**
     * Drops any trust files remembered for {@code gun}, so the next update reads the server again (called
     * before an image that was denied is checked again). Fetchers that remember nothing ignore it.
     */
    default void forget(String gun) {}
}
