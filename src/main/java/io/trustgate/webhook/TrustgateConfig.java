package io.trustgate.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trustgate.admission.AdmissionHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * trustgate's settings: each {@code trustgate.x-y} key is also the environment variable
 * {@code TRUSTGATE_X_Y}. docs/configuration.md lists them all.
 */
@ConfigMapping(prefix = "trustgate")
public interface TrustgateConfig {

    /** The HTTPS serving certificate (read by Quarkus through quarkus.http.ssl.certificate.*). */
    Tls tls();

    /** PEM files of the serving certificate and key. */
    interface Tls {
        /** {@code TRUSTGATE_TLS_CERT}: the PEM certificate chain. */
        @WithDefault("tls.crt")
        String cert();

        /** {@code TRUSTGATE_TLS_KEY}: the PEM private key. */
        @WithDefault("tls.key")
        String key();
    }

    /** Read policies from this directory instead of the cluster. */
    Optional<String> policiesDir();

    /** How often the policy directory is checked for changes. */
    @WithDefault("1s")
    Duration policiesReload();

    /** What to do with an image no policy governs. */
    @WithDefault("deny")
    AdmissionHandler.Unmatched unmatched();

    /**
     * {@code TRUSTGATE_NAMESPACED_URL_PREFIXES}: URL prefixes a namespaced TrustPolicy's lookaside and Notary
     * server must start with; unset: any http(s) URL except loopback, link-local and unspecified hosts.
     */
    Optional<List<String>> namespacedUrlPrefixes();

    /** Registries (host:port) reached over plain HTTP; everything else uses HTTPS. */
    Optional<List<String>> insecureRegistries();

    /** Per-review time budget; keep it under the webhook's timeoutSeconds. */
    @WithDefault("8s")
    Duration deadline();

    /** Warn when trust data expires within this window. */
    @WithDefault("7d")
    Duration expiryWarning();

    /** trustgate's own namespace: ClusterTrustPolicy keysFrom Secrets live here. */
    @WithDefault("trustgate")
    String namespace();

    /** A dockerconfigjson Secret in trustgate's namespace used when a pod's own pull secrets have none. */
    Optional<String> pullSecret();

    /** Cache lifetimes (see docs/configuration.md). */
    Cache cache();

    /** Cache lifetimes and size. */
    interface Cache {
        @WithDefault("30s")
        Duration tagTtl();

        @WithDefault("30s")
        Duration signatureTtl();

        @WithDefault("5m")
        Duration verdictTtl();

        @WithDefault("30s")
        Duration trustDataRecheck();

        @WithDefault("10s")
        Duration failureTtl();

        @WithDefault("1h")
        Duration staleIfError();

        @WithDefault("10000")
        long maxEntries();

        /** {@code TRUSTGATE_CACHE_DENIAL_TTL}: how long a denial for missing or invalid signatures is remembered. */
        @WithDefault("10s")
        Duration denialTtl();

        default io.trustgate.cache.CacheSettings settings() {
            return new io.trustgate.cache.CacheSettings(tagTtl(), signatureTtl(), verdictTtl(), trustDataRecheck(),
                    failureTtl(), staleIfError(), maxEntries(), denialTtl());
        }
    }

    /** Timeouts and size limits for registry and signature-store requests. */
    Upstream upstream();

    /** Limits on upstream requests. */
    interface Upstream {
        @WithDefault("3s")
        Duration connectTimeout();

        @WithDefault("5s")
        Duration requestTimeout();

        @WithDefault("4194304")
        long maxManifestBytes();

        @WithDefault("65536")
        long maxSignatureBytes();

        @WithDefault("16")
        int maxSignatures();
    }
}
