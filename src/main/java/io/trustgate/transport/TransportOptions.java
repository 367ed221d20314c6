package io.trustgate.transport;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Limits and connection settings of the registry, lookaside and Notary clients, in one place. It has no
 * defaults of its own: {@code io.trustgate.config.TrustgateSettings} builds it from the one table of settings
 * (docs/configuration.md), so the webhook, the CLI and the tests cannot drift apart.
 *
 * @param connectTimeout time to open a TCP (and TLS) connection
 * @param requestTimeout time for a whole exchange: connect, headers and body
 * @param maxManifestBytes largest manifest read when a registry sends no {@code Docker-Content-Digest}
 * @param maxSignatureBytes largest lookaside signature file
 * @param maxSignatures signatures fetched per image at most ({@code signature-1..N})
 * @param maxTokenBytes largest token server answer
 * @param maxRedirects redirects followed per request
 * @param insecureHosts {@code host:port} entries reached over plain HTTP; every other registry over HTTPS
 * @param trust the CA certificates trusted for each upstream ({@link UpstreamTrust})
 */
public record TransportOptions(
        Duration connectTimeout,
        Duration requestTimeout,
        long maxManifestBytes,
        long maxSignatureBytes,
        int maxSignatures,
        long maxTokenBytes,
        int maxRedirects,
        Set<String> insecureHosts,
        UpstreamTrust trust) {

    /** Largest token server answer (a limit, not a setting). */
    public static final long MAX_TOKEN_BYTES = 64L * 1024;
    /** Redirects followed per request (a limit, not a setting). */
    public static final int MAX_REDIRECTS = 5;

    public TransportOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(trust, "trust");
        if (connectTimeout.isNegative()
                || connectTimeout.isZero()
                || requestTimeout.isNegative()
                || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxManifestBytes <= 0
                || maxSignatureBytes <= 0
                || maxSignatures <= 0
                || maxTokenBytes <= 0
                || maxRedirects < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        insecureHosts = insecureHosts == null
                ? Set.of()
                : insecureHosts.stream()
                        .map(h -> h.strip().toLowerCase(Locale.ROOT))
                        .filter(h -> !h.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether {@code host} (as in an image reference, {@code host:port}) is reached over plain HTTP. */
    public boolean isInsecure(String host) {
        return insecureHosts.contains(host.toLowerCase(Locale.ROOT));
    }

    public TransportOptions withInsecureHosts(String... hosts) {
        return new TransportOptions(
                connectTimeout,
                requestTimeout,
                maxManifestBytes,
                maxSignatureBytes,
                maxSignatures,
                maxTokenBytes,
                maxRedirects,
                Stream.concat(insecureHosts.stream(), Stream.of(hosts)).collect(Collectors.toSet()),
                trust);
    }

    public TransportOptions withTimeouts(Duration connect, Duration request) {
        return new TransportOptions(
                connect,
                request,
                maxManifestBytes,
                maxSignatureBytes,
                maxSignatures,
                maxTokenBytes,
                maxRedirects,
                insecureHosts,
                trust);
    }

    public TransportOptions withMaxManifestBytes(long bytes) {
        return new TransportOptions(
                connectTimeout,
                requestTimeout,
                bytes,
                maxSignatureBytes,
                maxSignatures,
                maxTokenBytes,
                maxRedirects,
                insecureHosts,
                trust);
    }

    public TransportOptions withSignatureLimits(int count, long bytes) {
        return new TransportOptions(
                connectTimeout,
                requestTimeout,
                maxManifestBytes,
                bytes,
                count,
                maxTokenBytes,
                maxRedirects,
                insecureHosts,
                trust);
    }

    public TransportOptions withTrust(UpstreamTrust upstreamTrust) {
        return new TransportOptions(
                connectTimeout,
                requestTimeout,
                maxManifestBytes,
                maxSignatureBytes,
                maxSignatures,
                maxTokenBytes,
                maxRedirects,
                insecureHosts,
                upstreamTrust);
    }
}
