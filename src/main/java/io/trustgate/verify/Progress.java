package io.trustgate.verify;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** What one image check is still waiting for, so a review that runs out of time can name the slow upstream. */
public final class Progress {

    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    <T> CompletableFuture<T> track(String upstream, CompletableFuture<T> call) {
        pending.add(upstream);
        return call.whenComplete((v, e) -> pending.remove(upstream));
    }

    /** The upstreams asked and not yet answered. */
    public List<String> pending() {
        return pending.stream().sorted().toList();
    }
}
