package io.trustgate.verify;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one image check is still waiting for, so a review that runs out of time can name the slow upstream,
 * and the digest the tag resolved to, if it did, so that a late verdict is judged for that digest only.
 */
public final class Progress {

    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private volatile String resolvedDigest;

    <T> CompletableFuture<T> track(String upstream, CompletableFuture<T> call) {
        pending.add(upstream);
        return call.whenComplete((v, e) -> pending.remove(upstream));
    }

    void resolved(String digest) {
        resolvedDigest = digest;
    }

    /** The upstreams asked and not yet answered. */
    public List<String> pending() {
        return pending.stream().sorted().toList();
    }

    /** The digest of the image as resolved during this check, or {@code null} while the tag is unresolved. */
    public String resolvedDigest() {
        return resolvedDigest;
    }
}
