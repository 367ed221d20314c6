package io.trustgate.registry;

import io.trustgate.image.ImageReference;
import java.util.concurrent.CompletableFuture;

/** Resolves image references to manifest digests at their registry (Docker Registry HTTP API v2). */
public interface RegistryClient {
    /** Tag to digest; a digest reference is confirmed to exist. */
    CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials credentials);
}
