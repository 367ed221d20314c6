package io.trustgate.cache;

import io.trustgate.image.ImageReference;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.Referrer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;

/**
 * Tag to digest with a short cache and single flight: 200 concurrent reviews of one new image make one
 * request. The key includes who asks, so one pod's pull secret never answers for another pod, and the
 * registry as contacted ({@link ImageReference#host()}): {@code registry.example.com:443} and
 * {@code registry.example.com} are one endpoint over HTTPS but two over plain HTTP, so they do not share
 * an answer (a second look-up at most; everything after resolution is keyed by digest).
 *
 * <p>Signature manifests, blobs and referrers lists are not cached, but concurrent requests for one of them share
 * one call (single flight): the cosign and Notation sources of one check both list a digest's referrers, and may
 * both fetch one referrer, at about the same moment. What is addressed by digest (a referrers list is addressed by
 * its subject's) is kept {@link #SHARED_ANSWER} after it arrives, so that the second source still shares the answer
 * when the first one's came back before it asked; a manifest asked for by tag is shared only while in flight.
 */
public final class CachingRegistryClient implements RegistryClient {

    private record Key(String host, String path, String reference, String username, int passwordHash) {}

    /** One upstream object as one caller may read it: where, which, how much at most, and who asks. */
    private record ObjectKey(
            String host, String path, String reference, long maxBytes, String username, int passwordHash) {}

    /**
     * How long an answer about a digest (a manifest or blob by digest, a digest's referrers) is shared with callers
     * that ask after it arrived: long enough to span one check's sources, far below the denial TTL after which a
     * denied image is checked afresh.
     */
    public static final Duration SHARED_ANSWER = Duration.ofSeconds(1);

    private final RegistryClient delegate;
    private final OutcomeCache<Key, ManifestDescriptor> cache;
    private final OutcomeCache<ObjectKey, Optional<byte[]>> manifestsInFlight;
    private final OutcomeCache<ObjectKey, Optional<byte[]>> manifestsByDigest;
    private final OutcomeCache<ObjectKey, byte[]> blobsInFlight;
    private final OutcomeCache<ObjectKey, Referrers> referrersInFlight;

    public CachingRegistryClient(RegistryClient delegate, CacheSettings settings, Clock clock) {
        this.delegate = delegate;
        this.cache =
                new OutcomeCache<>("tags", d -> settings.tagTtl(), settings.failureTtl(), settings.maxEntries(), clock);
        this.manifestsInFlight =
                shared("manifests-in-flight", Duration.ZERO, CachingRegistryClient::weight, settings, clock);
        this.manifestsByDigest =
                shared("manifests-by-digest", SHARED_ANSWER, CachingRegistryClient::weight, settings, clock);
        this.blobsInFlight = shared("blobs-shared", SHARED_ANSWER, body -> body.length, settings, clock);
        this.referrersInFlight =
                shared("referrers-shared", SHARED_ANSWER, CachingRegistryClient::weight, settings, clock);
    }

    /**
     * Single flight, and the answer (or failure) shared for {@code retain} after it arrives, weighed by its bytes up
     * to {@link CacheSettings#MAX_SHARED_ANSWER_BYTES}. Settings that keep nothing still share what is in flight (an
     * answer in flight weighs nothing; one that arrived is over the 1-byte bound and dropped).
     */
    private static <V> OutcomeCache<ObjectKey, V> shared(
            String name, Duration retain, ToIntFunction<V> bytes, CacheSettings settings, Clock clock) {
        return OutcomeCache.weighed(
                name,
                v -> retain,
                retain,
                bytes,
                Math.max(1, settings.weightBound(CacheSettings.MAX_SHARED_ANSWER_BYTES)),
                clock);
    }

    private static int weight(Optional<byte[]> manifest) {
        return manifest.map(body -> body.length).orElse(0);
    }

    /** Referrer entries are parsed: counted by their strings (two bytes a character) and a fixed part each. */
    static int weight(Referrers referrers) {
        long bytes = 0;
        for (Referrer r : referrers.entries()) {
            bytes += REFERRER_FIXED_BYTES
                    + 2L
                            * (length(r.mediaType())
                                    + length(r.artifactType())
                                    + r.digest().length());
            for (Map.Entry<String, String> a : r.annotations().entrySet()) {
                bytes += REFERRER_FIXED_BYTES
                        + 2L * (a.getKey().length() + a.getValue().length());
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    /** What a parsed referrer entry, or one of its annotations, is counted to weigh beyond its strings. */
    static final int REFERRER_FIXED_BYTES = 64;

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static ObjectKey key(ImageReference ref, String reference, long maxBytes, RegistryCredentials who) {
        return new ObjectKey(
                ref.host(),
                ref.path(),
                reference,
                maxBytes,
                who.username(),
                who.password() == null ? 0 : who.password().hashCode());
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

    /**
     * Not cached: a {@code .sig} tag changes whenever a signature is added; verdicts are cached by digest. Concurrent
     * requests share one call; by digest, the answer is shared for {@link #SHARED_ANSWER}.
     */
    @Override
    public CompletableFuture<Optional<byte[]>> fetchManifest(
            ImageReference ref, long maxBytes, RegistryCredentials credentials) {
        boolean byDigest = ref.digest() != null;
        return (byDigest ? manifestsByDigest : manifestsInFlight)
                .get(
                        key(ref, byDigest ? "@" + ref.digest() : ":" + ref.tag(), maxBytes, credentials),
                        () -> delegate.fetchManifest(ref, maxBytes, credentials));
    }

    @Override
    public CompletableFuture<byte[]> fetchBlob(
            ImageReference repository, String digest, long maxBytes, RegistryCredentials credentials) {
        return blobsInFlight.get(
                key(repository, digest, maxBytes, credentials),
                () -> delegate.fetchBlob(repository, digest, maxBytes, credentials));
    }

    /**
     * Not cached beyond {@link #SHARED_ANSWER}: referrers are added whenever someone signs; verdicts are cached by
     * digest. Requests for one digest share one unfiltered listing, filtered here by artifact type (as the transport
     * filters every page itself anyway), so the cosign and Notation sources of one check read the listing once. The
     * listing keeps {@link Referrers#MAX_REFERRERS} entries of each artifact type ({@link Referrers#MAX_LISTED} in
     * all), so many attestations or SBOMs cannot push the signatures out of it.
     */
    @Override
    public CompletableFuture<Referrers> referrers(
            ImageReference repository, String digest, String artifactType, RegistryCredentials credentials) {
        return referrersInFlight
                .get(
                        key(repository, digest, 0, credentials),
                        () -> delegate.referrers(repository, digest, null, credentials))
                .thenApply(all -> artifactType == null ? all : all.ofType(artifactType));
    }

    public OutcomeCache<?, ?> cache() {
        return cache;
    }

    /** The shared-answer caches by name, for metrics and tests. */
    public Map<String, OutcomeCache<?, ?>> sharedAnswers() {
        return Map.of(
                manifestsInFlight.name(), manifestsInFlight,
                manifestsByDigest.name(), manifestsByDigest,
                blobsInFlight.name(), blobsInFlight,
                referrersInFlight.name(), referrersInFlight);
    }
}
