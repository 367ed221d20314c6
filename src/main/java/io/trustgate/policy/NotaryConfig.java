package io.trustgate.policy;

import java.util.List;

/**
 * Where a policy's Notary v1 trust data lives and which root keys it pins.
 *
 * @param server base URL of the Notary server; {@code null} means the registry's default (Docker Hub's
 *     Notary for docker.io images)
 * @param caBundle PEM CA certificates for the server, or {@code null} for the JVM trust store
 * @param rootKeys pinned root keys: PEM public keys, certificates or key ids
 */
public record NotaryConfig(String server, String caBundle, List<String> rootKeys) {
    public NotaryConfig {
        rootKeys = List.copyOf(rootKeys);
    }
}
