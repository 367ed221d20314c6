package io.trustgate.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Times every upstream call that leaves trustgate (after the caches), by kind, host and outcome, as
 * {@code trustgate_upstream_requests_seconds}: what the registry, lookaside and Notary logs see.
 */
final class UpstreamMetrics {

    private final MeterRegistry registry;

    UpstreamMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private <T> CompletableFuture<T> time(String kind, String host, Supplier<CompletableFuture<T>> call) {
        long start = System.nanoTime();
        return call.get()
                .whenComplete((v, e) -> Timer.builder("trustgate.upstream.requests")
                        .description("Upstream calls by kind, host and outcome")
                        .tag("kind", kind)
                        .tag("host", host)
                        .tag("outcome", e == null ? "ok" : "error")
                        .publishPercentileHistogram()
                        .register(registry)
                        .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    RegistryClient registry(RegistryClient delegate) {
        return new RegistryClient() {
            @Override
            public CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials credentials) {
                return time("registry", ref.host(), () -> delegate.resolve(ref, credentials));
            }

            @Override
            public CompletableFuture<Optional<byte[]>> fetchManifest(
                    ImageReference ref, long maxBytes, RegistryCredentials credentials) {
                return time("registry", ref.host(), () -> delegate.fetchManifest(ref, maxBytes, credentials));
            }

            @Override
            public CompletableFuture<byte[]> fetchBlob(
                    ImageReference repository, String digest, long maxBytes, RegistryCredentials credentials) {
                return time(
                        "registry",
                        repository.host(),
                        () -> delegate.fetchBlob(repository, digest, maxBytes, credentials));
            }

            @Override
            public CompletableFuture<Referrers> referrers(
                    ImageReference repository, String digest, String artifactType, RegistryCredentials credentials) {
                return time(
                        "registry",
                        repository.host(),
                        () -> delegate.referrers(repository, digest, artifactType, credentials));
            }
        };
    }

    LookasideStore lookaside(LookasideStore delegate) {
        return new LookasideStore() {
            @Override
            public CompletableFuture<List<byte[]>> signatures(String baseUrl, ImageReference ref, String digest) {
                return time("lookaside", host(baseUrl), () -> delegate.signatures(baseUrl, ref, digest));
            }
        };
    }

    TrustDataFetcher notary(String server, TrustDataFetcher delegate) {
        return new TrustDataFetcher() {
            @Override
            public CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
                return time("notary", host(server), () -> delegate.fetch(gun, roleFile, maxBytes));
            }
        };
    }

    private static String host(String url) {
        try {
            URI u = URI.create(url);
            return u.getHost() == null
                    ? String.valueOf(u.getScheme())
                    : u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        } catch (IllegalArgumentException e) {
            return "invalid";
        }
    }
}
