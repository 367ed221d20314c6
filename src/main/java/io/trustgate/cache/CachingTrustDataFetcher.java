package io.trustgate.cache;

import io.trustgate.notary.TrustDataFetcher;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Notary trust files of one server, cached for the re-check interval with single flight: a burst of
 * reviews of one repository fetches each role file once. Rollback protection stays with the TUF client,
 * which keeps the highest versions it has seen. Answers are handed over on the {@code crypto} executor,
 * so the TUF verification that follows never runs on an I/O thread.
 */
public final class CachingTrustDataFetcher implements TrustDataFetcher {

    private record Key(String gun, String roleFile) {}

    private final TrustDataFetcher delegate;
    private final OutcomeCache<Key, byte[]> cache;
    private final Executor crypto;

    public CachingTrustDataFetcher(TrustDataFetcher delegate, CacheSettings settings, Clock clock, Executor crypto) {
        this.delegate = delegate;
        this.cache = OutcomeCache.weighed(
                "trust-data",
                b -> settings.trustDataRecheck(),
                settings.failureTtl(),
                b -> b.length,
                settings.weightBound(CacheSettings.MAX_TRUST_DATA_BYTES),
                clock);
        this.crypto = crypto;
    }

    @Override
    public CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
        return cache.get(new Key(gun, roleFile), () -> delegate.fetch(gun, roleFile, maxBytes))
                .thenApplyAsync(
                        bytes -> {
                            if (bytes.length > maxBytes) {
                                // A cached file fetched under a larger bound must still respect this caller's bound.
                                throw new IllegalStateException("trust file " + roleFile + " of " + gun + " is "
                                        + bytes.length + " bytes, over the " + maxBytes + " allowed");
                            }
                            return bytes;
                        },
                        crypto);
    }

    @Override
    public void forget(String gun) {
        cache.invalidateIf(key -> key.gun().equals(gun));
    }

    public OutcomeCache<?, ?> cache() {
        return cache;
    }
}
