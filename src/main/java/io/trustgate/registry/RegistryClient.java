package io.trustgate.registry;

import io.trustgate.image.ImageReference;
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
}
