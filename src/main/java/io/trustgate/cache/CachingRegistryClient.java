package io.trustgate.cache;

import io.trustgate.image.ImageReference;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Tag to digest with a short cache and single flight: 200 concurrent reviews of one new image make one
 * request. The key includes who asks, so one pod's pull secret never answers for another pod, and the
 * registry as contacted ({@link ImageReference#host()}): {@code registry.example.com:443} and
 * {@code registry.example.com} are one endpoint over HTTPS but two over plain HTTP, so they do not share
 * an answer (a second look-up at most; everything after resolution is keyed by digest).
 */
public final class CachingRegistryClient implements RegistryClient {

    private record Key(String host, String path, String reference, String username, int passwordHash) {}

    private final RegistryClient delegate;
    private final OutcomeCache<Key, ManifestDescriptor> cache;

    public CachingRegistryClient(RegistryClient delegate, CacheSettings settings, Clock clock) {
        this.delegate = delegate;
        this.cache =
                new OutcomeCache<>("tags", d -> settings.tagTtl(), settings.failureTtl(), settings.maxEntries(), clock);
    }

    @Override
    public CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials credentials) {
        Key key = new Key(
                ref.host(),
                ref.path(),
                ref.digest() != null ? ref.digest() : ref.tag(),
                credentials.username(),
                credentials.password() == null ? 0 : credentials.password().hashCode());
        return cache.get(key, () -> delegate.resolve(ref, credentials));
    }

    /** Not cached: a {@code .sig} tag changes whenever a signature is added; verdicts are cached by digest. */
    @Override
    public CompletableFuture<Optional<byte[]>> fetchManifest(
            ImageReference ref, long maxBytes, RegistryCredentials credentials) {
        return delegate.fetchManifest(ref, maxBytes, credentials);
    }

    @Override
    public CompletableFuture<byte[]> fetchBlob(
            ImageReference repository, String digest, long maxBytes, RegistryCredentials credentials) {
        return delegate.fetchBlob(repository, digest, maxBytes, credentials);
    }

    /** Not cached: referrers are added whenever someone signs; verdicts are cached by digest. */
    @Override
    public CompletableFuture<Referrers> referrers(
            ImageReference repository, String digest, String artifactType, RegistryCredentials credentials) {
        return delegate.referrers(repository, digest, artifactType, credentials);
    }

    public OutcomeCache<?, ?> cache() {
        return cache;
    }
}
