package io.trustgate.config;

import java.util.Locale;

/**
 * The one table of trustgate's settings: each row is a {@code trustgate.*} property, its environment variable
 * ({@code trustgate.cache.tag-ttl} = {@code TRUSTGATE_CACHE_TAG_TTL}, MicroProfile Config's rule), its default,
 * what a value must look like, and what it means. {@link TrustgateSettings#load} parses and checks every row;
 * docs/configuration.md is generated from this table and a test keeps it so.
 *
 * <p>Adding a setting is one row here; the code that needs it reads it with
 * {@link TrustgateSettings#value(Setting)} (or a field of the record tree, if it belongs there).
 */
public enum Setting {
    TLS_CERT(
            "trustgate.tls.cert",
            "tls.crt",
            Kind.TEXT,
            "PEM certificate chain served on the HTTPS port; reloaded when the file changes."),
    TLS_KEY("trustgate.tls.key", "tls.key", Kind.TEXT, "PEM private key for it."),
    POLICIES_DIR(
            "trustgate.policies-dir", null, Kind.TEXT, "Read policies from this directory instead of the cluster."),
    POLICIES_RELOAD(
            "trustgate.policies-reload",
            "1s",
            Kind.POSITIVE_DURATION,
            "How often the policy directory is checked for changes."),
    UNMATCHED("trustgate.unmatched", "deny", Kind.UNMATCHED, "`deny` or `allow` images that no policy governs."),
    PIN(
            "trustgate.pin",
            "pods",
            Kind.PIN,
            "Which objects `POST /mutate` rewrites to `name:tag@sha256:<verified digest>`: `pods` (Pods and ephemeral"
                    + " containers; workloads are validated but left as written, so GitOps tools see no drift, and their"
                    + " Pods are pinned when created), `all` (workload templates too), `off` (nothing; /mutate still"
                    + " denies what /validate denies). Chart value `config.pin` (with `off` the chart installs no"
                    + " MutatingWebhookConfiguration)."),
    NAMESPACED_URL_PREFIXES(
            "trustgate.namespaced-url-prefixes",
            null,
            Kind.URL_PREFIX_LIST,
            "URL prefixes a namespaced TrustPolicy's `lookaside` and `notary.server` must start with. Unset: any"
                    + " http(s) URL except `file:`, loopback, link-local and unspecified hosts. ClusterTrustPolicies"
                    + " are not limited."),
    EXCEPTIONS_MAX_DURATION(
            "trustgate.exceptions.max-duration",
            "30d",
            Kind.POSITIVE_DURATION,
            "Longest lifetime of a TrustException, from its creation to its `expires`: a longer one is invalid and never"
                    + " applies (its status says why). A policy's `spec.exceptions.maxDuration` may ask for less."),
    INSECURE_REGISTRIES(
            "trustgate.insecure-registries",
            null,
            Kind.HOST_LIST,
            "Comma-separated `host:port` list reached over plain HTTP. Every other registry is reached over HTTPS."),
    DEADLINE(
            "trustgate.deadline",
            "8s",
            Kind.POSITIVE_DURATION,
            "Time budget of one review; keep it under the webhook's `timeoutSeconds` (10 s in the chart)."),
    EXPIRY_WARNING(
            "trustgate.expiry-warning",
            "7d",
            Kind.DURATION,
            "Trust data that expires within this window adds an admission warning."),
    WARMUP(
            "trustgate.warmup",
            "3s",
            Kind.DURATION,
            "At start, before ready, review built-in throw-away signed images (GPG and Notary, in memory, no network, "
                    + "nothing kept) for up to this long so that the first real reviews run compiled code; `0s` "
                    + "disables it. Readiness waits for it, never longer than this. The image and `make run` on JDK 25, "
                    + "which start with a trained AOT cache, set `0s` (there it costs more than it saves: "
                    + "docs/benchmarks.md)."),
    NAMESPACE(
            "trustgate.namespace",
            "trustgate",
            Kind.TEXT,
            "trustgate's namespace: ClusterTrustPolicy `keysFrom` Secrets live here."),
    PULL_SECRET(
            "trustgate.pull-secret",
            null,
            Kind.TEXT,
            "A `kubernetes.io/dockerconfigjson` Secret in trustgate's namespace used when a pod's own pull secrets"
                    + " have no entry for a registry."),
    POD_PULL_SECRETS(
            "trustgate.pod-pull-secrets",
            "true",
            Kind.BOOLEAN,
            "Read the pod's `imagePullSecrets` and its ServiceAccount's (this needs `get` on Secrets and ServiceAccounts"
                    + " in every namespace). `false` uses only `TRUSTGATE_PULL_SECRET`; chart value"
                    + " `podPullSecrets.enabled`, which then drops the cluster-wide Secret rule."),
    STATE_DIR(
            "trustgate.state-dir",
            ".trustgate-state",
            Kind.TEXT,
            "Directory mode: where `notary-versions.json` keeps the highest Notary metadata versions trusted, so a"
                    + " restart refuses replayed older trust data."),
    STATE_CONFIG_MAP(
            "trustgate.state-config-map",
            "trustgate-notary-versions",
            Kind.TEXT,
            "Cluster mode: the ConfigMap in trustgate's namespace holding the highest Notary metadata versions every"
                    + " replica trusted (the chart sets `<release>-notary-versions`)."),
    RECHECK_INTERVAL(
            "trustgate.recheck.interval",
            "1h",
            Kind.DURATION,
            "Cluster mode: how often one replica (the holder of the Lease `TRUSTGATE_RECHECK_LEASE`) re-verifies every"
                    + " distinct image digest of the running Pods against the current policies and writes PolicyReports."
                    + " A policy or key change, and trust data expiring, start a recheck sooner. `0s` turns the"
                    + " background recheck off (chart value `recheck.interval`)."),
    RECHECK_RATE(
            "trustgate.recheck.rate",
            "10",
            Kind.POSITIVE_COUNT,
            "Most image verifications a recheck starts per second (cached verdicts count too), so that a recheck of"
                    + " many images never floods registries, lookaside stores and Notary servers."),
    RECHECK_LEASE(
            "trustgate.recheck.lease",
            "trustgate-recheck",
            Kind.TEXT,
            "Cluster mode: the `coordination.k8s.io` Lease in trustgate's namespace that elects the one replica"
                    + " that rechecks (the chart sets `<release>-recheck`)."),
    REPORTS(
            "trustgate.reports",
            "true",
            Kind.BOOLEAN,
            "Write the recheck's results as `wgpolicyk8s.io/v1alpha2` PolicyReports (one per namespace, named"
                    + " `trustgate`), and Events on Pods whose image stops verifying. `false` keeps metrics and logs only."),
    CACHE_TAG_TTL(
            "trustgate.cache.tag-ttl",
            "30s",
            Kind.DURATION,
            "How long a tag's digest is reused; a moved tag is seen after this."),
    CACHE_SIGNATURE_TTL(
            "trustgate.cache.signature-ttl",
            "30s",
            Kind.DURATION,
            "How long GPG signatures read for one digest are reused."),
    CACHE_VERDICT_TTL(
            "trustgate.cache.verdict-ttl",
            "5m",
            Kind.DURATION,
            "How long a policy's verdict on one digest is reused (never beyond the expiry of the trust data behind"
                    + " it; a policy edit invalidates it at once)."),
    CACHE_TRUST_DATA_RECHECK(
            "trustgate.cache.trust-data-recheck",
            "30s",
            Kind.DURATION,
            "Notary trust files of a repository are fetched again at most this often."),
    CACHE_FAILURE_TTL(
            "trustgate.cache.failure-ttl",
            "10s",
            Kind.DURATION,
            "A failed upstream answer is reused this long, so a storm of bad pods does not hammer an upstream."),
    CACHE_STALE_IF_ERROR(
            "trustgate.cache.stale-if-error",
            "1h",
            Kind.DURATION,
            "While upstreams are unreachable, a good verdict this recent (and whose trust data has not expired) is"
                    + " served, with a warning that says so. `0s` turns it off."),
    CACHE_DENIAL_TTL(
            "trustgate.cache.denial-ttl",
            "10s",
            Kind.DURATION,
            "Longest life of a denial for missing or invalid signatures (the verdict, a lookaside 404, a Notary"
                    + " \"tag not signed\"): an image signed after a rejection is admitted within about this time."),
    CACHE_MAX_ENTRIES(
            "trustgate.cache.max-entries",
            "10000",
            Kind.COUNT,
            "Bound of the tag and verdict caches; `0` keeps nothing in any cache. The trust-data and signature caches"
                    + " and the registry's shared answers (manifests, blobs, referrers) are bounded by bytes (see"
                    + " Bounds)."),
    UPSTREAM_CONNECT_TIMEOUT(
            "trustgate.upstream.connect-timeout",
            "3s",
            Kind.POSITIVE_DURATION,
            "Connect timeout for registries, lookaside stores and Notary servers."),
    UPSTREAM_REQUEST_TIMEOUT(
            "trustgate.upstream.request-timeout", "5s", Kind.POSITIVE_DURATION, "Whole-request timeout for them."),
    UPSTREAM_MAX_MANIFEST_BYTES(
            "trustgate.upstream.max-manifest-bytes",
            "4194304",
            Kind.POSITIVE_COUNT,
            "Largest manifest read when a registry sends no `Docker-Content-Digest`."),
    UPSTREAM_MAX_SIGNATURE_BYTES(
            "trustgate.upstream.max-signature-bytes",
            "65536",
            Kind.POSITIVE_COUNT,
            "Largest GPG signature read from a lookaside store."),
    UPSTREAM_MAX_SIGNATURES(
            "trustgate.upstream.max-signatures", "16", Kind.POSITIVE_COUNT, "Most `signature-N` files read per image."),
    CA_BUNDLE(
            "trustgate.ca-bundle",
            null,
            Kind.CA_FILE,
            "PEM file of CA certificates trusted for every upstream (registries, lookaside stores, Notary servers,"
                    + " token realms), in addition to the JVM's. A file that does not parse stops start-up."),
    CERTS_DIR(
            "trustgate.certs-dir",
            null,
            Kind.CERTS_DIR,
            "Directory laid out like `/etc/containers/certs.d`: `<host[:port]>/*.crt` are CAs trusted for that"
                    + " host only (port as in the image reference or URL; none for 443), in addition to the JVM's"
                    + " and `TRUSTGATE_CA_BUNDLE`.");

    private final String property;
    private final String defaultValue;
    private final Kind kind;
    private final String description;

    Setting(String property, String defaultValue, Kind kind, String description) {
        this.property = property;
        this.defaultValue = defaultValue;
        this.kind = kind;
        this.description = description;
    }

    /** The {@code trustgate.*} key, as in application.properties. */
    public String property() {
        return property;
    }

    /** The environment variable: the property upper-cased with every other character made {@code _}. */
    public String env() {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The default as it would be written, or {@code null} when the setting is unset by default. */
    public String defaultValue() {
        return defaultValue;
    }

    /** What a value must look like. */
    public Kind kind() {
        return kind;
    }

    /** One line for docs/configuration.md. */
    public String description() {
        return description;
    }
}
