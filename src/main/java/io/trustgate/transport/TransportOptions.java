package io.trustgate.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Limits and connection settings of the registry and lookaside clients, in one place.
 *
 * @param connectTimeout time to open a TCP (and TLS) connection
 * @param requestTimeout time for a whole exchange: connect, headers and body
 * @param maxManifestBytes largest manifest read when a registry sends no {@code Docker-Content-Digest}
 * @param maxSignatureBytes largest lookaside signature file
 * @param maxSignatures signatures fetched per image at most ({@code signature-1..N})
 * @param maxTokenBytes largest token server answer
 * @param maxRedirects redirects followed per request
 * @param insecureHosts {@code host:port} entries reached over plain HTTP; every other registry over HTTPS
 * @param extraCaPem PEM file of CA certificates trusted besides the JVM's, or {@code null}
 */
public record TransportOptions(Duration connectTimeout, Duration requestTimeout, long maxManifestBytes,
        long maxSignatureBytes, int maxSignatures, long maxTokenBytes, int maxRedirects, Set<String> insecureHosts,
        Path extraCaPem) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final long DEFAULT_MAX_MANIFEST_BYTES = 4L * 1024 * 1024;
    public static final long DEFAULT_MAX_SIGNATURE_BYTES = 64L * 1024;
    public static final int DEFAULT_MAX_SIGNATURES = 16;
    public static final long DEFAULT_MAX_TOKEN_BYTES = 64L * 1024;
    public static final int DEFAULT_MAX_REDIRECTS = 5;

    public TransportOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative()
                || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxManifestBytes <= 0 || maxSignatureBytes <= 0 || maxSignatures <= 0 || maxTokenBytes <= 0
                || maxRedirects < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        insecureHosts = insecureHosts == null ? Set.of()
                : insecureHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
    }

    /** The defaults: 2 s connect, 5 s per request, 4 MiB manifests, 64 KiB signatures, 16 signatures. */
    public static TransportOptions defaults() {
        return new TransportOptions(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_MANIFEST_BYTES,
                DEFAULT_MAX_SIGNATURE_BYTES, DEFAULT_MAX_SIGNATURES, DEFAULT_MAX_TOKEN_BYTES, DEFAULT_MAX_REDIRECTS,
                Set.of(), null);
    }

    /** Whether {@code host} (as in an image reference, {@code host:port}) is reached over plain HTTP. */
    public boolean isInsecure(String host) {
        return insecureHosts.contains(host.toLowerCase(Locale.ROOT));
    }

    public TransportOptions withInsecureHosts(String... hosts) {
        return new TransportOptions(connectTimeout, requestTimeout, maxManifestBytes, maxSignatureBytes,
                maxSignatures, maxTokenBytes, maxRedirects,
                Stream.concat(insecureHosts.stream(), Stream.of(hosts)).collect(Collectors.toSet()), extraCaPem);
    }

    public TransportOptions withTimeouts(Duration connect, Duration request) {
        return new TransportOptions(connect, request, maxManifestBytes, maxSignatureBytes, maxSignatures,
                maxTokenBytes, maxRedirects, insecureHosts, extraCaPem);
    }

    public TransportOptions withMaxManifestBytes(long bytes) {
        return new TransportOptions(connectTimeout, requestTimeout, bytes, maxSignatureBytes, maxSignatures,
                maxTokenBytes, maxRedirects, insecureHosts, extraCaPem);
    }

    public TransportOptions withSignatureLimits(int count, long bytes) {
        return new TransportOptions(connectTimeout, requestTimeout, maxManifestBytes, bytes, count, maxTokenBytes,
                maxRedirects, insecureHosts, extraCaPem);
    }

    public TransportOptions withExtraCaPem(Path pem) {
        return new TransportOptions(connectTimeout, requestTimeout, maxManifestBytes, maxSignatureBytes,
                maxSignatures, maxTokenBytes, maxRedirects, insecureHosts, pem);
    }
}
