package io.trustgate.cache;

import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * GPG signatures per lookaside store, repository and digest, cached briefly with single flight. An empty
 * answer (no {@code signature-1}) lives no longer than the denial TTL, so a signature added after a
 * rejection is seen soon.
 */
public final class CachingLookasideStore implements LookasideStore {

    private record Key(String baseUrl, String repository, String digest) {}

    private final LookasideStore delegate;
    private final OutcomeCache<Key, List<byte[]>> cache;

    public CachingLookasideStore(LookasideStore delegate, CacheSettings settings, Clock clock) {
        this.delegate = delegate;
        this.cache = OutcomeCache.weighed(
                "signatures",
                s -> s.isEmpty() ? shorter(settings.signatureTtl(), settings.denialTtl()) : settings.signatureTtl(),
                settings.failureTtl(),
                CachingLookasideStore::weight,
                settings.weightBound(CacheSettings.MAX_SIGNATURE_BYTES),
                clock);
    }

    @Override
    public CompletableFuture<List<byte[]>> signatures(String baseUrl, ImageReference ref, String digest) {
        return cache.get(new Key(baseUrl, ref.repository(), digest), () -> delegate.signatures(baseUrl, ref, digest));
    }

    @Override
    public void forget(String baseUrl, ImageReference ref, String digest) {
        cache.invalidate(new Key(baseUrl, ref.repository(), digest));
    }

    private static java.time.Duration shorter(java.time.Duration a, java.time.Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static int weight(List<byte[]> signatures) {
        return signatures.stream().mapToInt(s -> s.length).sum();
    }

    public OutcomeCache<?, ?> cache() {
        return cache;
    }
}
