package io.trustgate.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Weigher;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * A bounded async cache of upstream answers with single flight: concurrent requests for one key share
 * one in-flight call, successes live for their TTL and failures for the (shorter) failure TTL.
 */
public final class OutcomeCache<K, V> {

    private final String name;
    private final AsyncCache<K, Outcome<V>> cache;

    /**
     * @param ttl how long a success lives, given the value (lets a value bound its own lifetime)
     */
    public OutcomeCache(String name, Function<V, Duration> ttl, Duration failureTtl, long maxEntries, Clock clock) {
        this(name, ttl, failureTtl, Caffeines.newBuilder().maximumSize(maxEntries), clock);
    }

    /**
     * A cache bounded by weight rather than count, for values whose size an upstream chooses: each entry weighs
     * {@link #ENTRY_OVERHEAD_BYTES} plus {@code bytes} of its value (a failure weighs the overhead only).
     *
     * @param maxBytes the most the values of all entries may weigh together
     */
    public static <K, V> OutcomeCache<K, V> weighed(
            String name,
            Function<V, Duration> ttl,
            Duration failureTtl,
            ToIntFunction<V> bytes,
            long maxBytes,
            Clock clock) {
        Weigher<K, Outcome<V>> weigher = (key, outcome) -> ENTRY_OVERHEAD_BYTES
                + (outcome instanceof Outcome.Ok<V> ok ? Math.max(0, bytes.applyAsInt(ok.value())) : 0);
        return new OutcomeCache<>(
                name,
                ttl,
                failureTtl,
                Caffeines.newBuilder().maximumWeight(maxBytes).weigher(weigher),
                clock);
    }

    /** What one entry is counted to weigh beyond its value (key, outcome and the cache's own node). */
    public static final int ENTRY_OVERHEAD_BYTES = 256;

    @SuppressWarnings("unchecked")
    private OutcomeCache(
            String name, Function<V, Duration> ttl, Duration failureTtl, Caffeine<?, ?> bound, Clock clock) {
        this.name = name;
        this.cache = ((Caffeine<K, Outcome<V>>) bound)
                .ticker(new ClockTicker(clock))
                .expireAfter(new Expiry<K, Outcome<V>>() {
                    @Override
                    public long expireAfterCreate(K key, Outcome<V> value, long now) {
                        Duration d = value instanceof Outcome.Ok<V> ok ? ttl.apply(ok.value()) : failureTtl;
                        return Math.max(0, d.toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(K key, Outcome<V> value, long now, long current) {
                        return expireAfterCreate(key, value, now);
                    }

                    @Override
                    public long expireAfterRead(K key, Outcome<V> value, long now, long current) {
                        return current;
                    }
                })
                .recordStats()
                .buildAsync();
    }

    /** The cached answer for {@code key}, or the one in flight, or a new call. */
    public CompletableFuture<V> get(K key, Supplier<CompletableFuture<V>> call) {
        return cache.get(key, (k, executor) -> call.get().handle(Outcome::of)).thenCompose(Outcome::toFuture);
    }

    /** Drops what is cached for {@code key}, so the next {@link #get} asks the upstream again. */
    public void invalidate(K key) {
        cache.synchronous().invalidate(key);
    }

    /** Drops every entry whose key matches. */
    public void invalidateIf(java.util.function.Predicate<K> which) {
        cache.synchronous().asMap().keySet().removeIf(which);
    }

    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    public String name() {
        return name;
    }

    /** The synchronous view, for metrics binders. */
    public com.github.benmanes.caffeine.cache.Cache<K, Outcome<V>> view() {
        return cache.synchronous();
    }
}
