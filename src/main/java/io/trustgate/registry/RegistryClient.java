package io.trustgate.registry;

import io.trustgate.image.ImageReference;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves image references to manifest digests at a registry (Docker registry HTTP API v2).
 *
 * <p>A tag is resolved with {@code HEAD /v2/<path>/manifests/<tag>}, accepting OCI index, OCI manifest,
 * Docker manifest list and Docker v2 manifest, and reading {@code Docker-Content-Digest}; when that header is
 * missing the manifest is fetched (bounded) and hashed. A digest reference is confirmed to exist the same
 * way. Failures complete the future with a {@link RegistryException} subtype carrying the evidence.
 *
 * <p>Futures may complete on an I/O thread: callers that do blocking or heavy work use the
 * {@code *Async} stages.
 */
public interface RegistryClient {

    /**
     * Resolves an image reference to its manifest descriptor (digest, media type, size).
     *
     * @param credentials {@link RegistryCredentials#ANONYMOUS} when the pod or policy names none
     */
    CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials credentials);

    /**
     * Fetches a manifest by tag or digest ({@code GET /v2/<path>/manifests/<ref>}), at most {@code maxBytes}; a
     * manifest fetched by digest must hash to it. Used for cosign's {@code sha256-<hex>.sig} tags.
     *
     * @return the manifest bytes, or empty when the registry answers 404 (no such tag)
     */
    default CompletableFuture<Optional<byte[]>> fetchManifest(
            ImageReference ref, long maxBytes, RegistryCredentials credentials) {
        // A default only so that resolve-only test fakes stay lambdas; every wrapper in main must delegate it.
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getSimpleName() + " does not fetch manifests"));
    }

    /**
     * Fetches a blob of {@code repository} ({@code GET /v2/<path>/blobs/<digest>}), at most {@code maxBytes}; the
     * bytes must hash to {@code digest} ({@code sha256:<hex>}), else the future fails with a
     * {@link RegistryProtocolException}.
     */
    default CompletableFuture<byte[]> fetchBlob(
            ImageReference repository, String digest, long maxBytes, RegistryCredentials credentials) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getSimpleName() + " does not fetch blobs"));
    }

    /**
     * The referrers of {@code digest} in {@code repository} (OCI distribution spec 1.1): the referrers API, paged
     * through {@code Link} at most {@link Referrers#MAX_PAGES} pages, or the referrers tag schema when the registry
     * answers the API with 404 (no tag: no referrers). Only entries of {@code artifactType} are kept ({@code null}
     * keeps all), at most {@link Referrers#MAX_REFERRERS}. The entries are only pointers: whatever they name is
     * fetched by digest and verified by the caller.
     *
     * @param digest {@code sha256:<hex>} or {@code sha512:<hex>}
     */
    default CompletableFuture<Referrers> referrers(
            ImageReference repository, String digest, String artifactType, RegistryCredentials credentials) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getSimpleName() + " does not list referrers"));
    }
}
