package io.trustgate.cache;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Where trustgate's Caffeine caches start: {@link Caffeine#newBuilder()} with the cache's upkeep (draining its read
 * and write buffers, expiring, evicting) run on the thread that touched the cache, instead of handed to
 * {@code ForkJoinPool.commonPool()}, Caffeine's default. The hand-over cost a thread wake-up for every new entry and
 * every few reads (a cold review adds a dozen entries; on the chart's one CPU the pool has one thread), and the JIT
 * compiled the pool's worker loop with the upkeep inlined as one large unit, again after each deoptimisation
 * (issue 11's cold-review profile). The upkeep is bounded (a buffer at a time) and takes only the cache's own lock,
 * which a writer would wait for anyway when the write buffer is full.
 *
 * <p>A cache whose loader blocks (the Secret lookups) passes its own executor instead.
 */
public final class Caffeines {

    private Caffeines() {}

    /** A builder whose cache does its upkeep on the calling thread. */
    public static Caffeine<Object, Object> newBuilder() {
        return Caffeine.newBuilder().executor(Runnable::run);
    }
}
