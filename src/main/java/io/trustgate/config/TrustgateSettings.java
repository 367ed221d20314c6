package io.trustgate.config;

import io.trustgate.admission.AdmissionHandler;
import io.trustgate.cache.CacheSettings;
import io.trustgate.policy.NamespacedUrls;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.UpstreamTrust;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * trustgate's whole configuration, typed and checked: what the webhook, the CLI and the bench run with. Built by
 * {@link #load} from any source of text values (the environment, MicroProfile Config, CLI flags over the
 * environment), every value parsed by its row of {@link Setting}, the one table of names and defaults.
 *
 * <pre>{@code
 * TrustgateSettings settings = TrustgateSettings.fromEnvironment(System.getenv());  // InvalidSettingException: one line
 * VerifierStack stack = VerifierStack.create(vertx, settings.stack(Clock.systemUTC(), VerifierStack.Hooks.NONE));
 * }</pre>
 *
 * @param tls the serving certificate and key (read by Quarkus; here for the docs and the checks)
 * @param policies where policies come from and how often a directory is re-read
 * @param admission the decision's own settings
 * @param cache lifetimes and bound of every cache
 * @param transport timeouts, limits, plain-HTTP registries and trusted CAs of every upstream client
 * @param values every setting's typed value, for {@link #value(Setting)}
 */
public record TrustgateSettings(
        Tls tls,
        Policies policies,
        Admission admission,
        CacheSettings cache,
        TransportOptions transport,
        Map<Setting, Object> values) {

    /** PEM files of the HTTPS serving certificate and key. */
    public record Tls(String cert, String key) {}

    /**
     * Where policies come from and what namespaced policies may name.
     *
     * @param dir a directory of policy YAML, or empty for the cluster
     * @param reload how often the directory is checked for changes
     * @param namespace trustgate's namespace (ClusterTrustPolicy keysFrom Secrets live there)
     * @param namespacedUrls which lookaside and Notary URLs a namespaced TrustPolicy may name
     */
    public record Policies(Optional<Path> dir, Duration reload, String namespace, NamespacedUrls namespacedUrls) {}

    /**
     * How reviews are decided.
     *
     * @param unmatched what to do with an image no policy governs
     * @param deadline time budget of one review
     * @param expiryWarning trust data expiring within this window adds a warning
     * @param pullSecret a dockerconfigjson Secret in trustgate's namespace used when a pod's own have none
     * @param pin which objects /mutate pins to their verified digests
     */
    public record Admission(
            AdmissionHandler.Unmatched unmatched,
            Duration deadline,
            Duration expiryWarning,
            Optional<String> pullSecret,
            AdmissionHandler.Pin pin) {}

    public TrustgateSettings {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(policies, "policies");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(transport, "transport");
        values = Map.copyOf(values);
    }

    /** Every setting at its default. */
    public static TrustgateSettings defaults() {
        return load(s -> Optional.empty());
    }

    /** From environment variables ({@code TRUSTGATE_DEADLINE=8s}); blank values count as unset. */
    public static TrustgateSettings fromEnvironment(Map<String, String> env) {
        return load(s -> Optional.ofNullable(env.get(s.env())));
    }

    /**
     * Parses and checks every setting of {@link Setting}: the value {@code source} gives, else the default.
     *
     * @param source the text of a setting, empty when it is not set (blank counts as not set)
     * @throws InvalidSettingException naming every bad value, in one line
     */
    public static TrustgateSettings load(Function<Setting, Optional<String>> source) {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        List<String> problems = new ArrayList<>();
        for (Setting s : Setting.values()) {
            Optional<String> given = source.apply(s).map(String::strip).filter(v -> !v.isEmpty());
            String text = given.orElse(s.defaultValue());
            if (text == null) {
                continue;
            }
            try {
                values.put(s, s.kind().parse(text));
            } catch (IllegalArgumentException e) {
                problems.add(problem(s, text, e.getMessage()));
            }
        }
        UpstreamTrust trust = UpstreamTrust.jvm();
        if (problems.isEmpty()) {
            Path bundle = (Path) values.get(Setting.CA_BUNDLE);
            Path certsDir = (Path) values.get(Setting.CERTS_DIR);
            try {
                trust = UpstreamTrust.load(bundle, certsDir);
            } catch (UpstreamTrust.InvalidCaException e) {
                Setting at = bundle != null && Objects.equals(e.file(), bundle) ? Setting.CA_BUNDLE : Setting.CERTS_DIR;
                Path file = at == Setting.CA_BUNDLE ? bundle : certsDir;
                String where = e.file() == null || e.file().equals(file) ? "" : e.file() + ": ";
                problems.add(problem(at, file.toString(), where + e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingException(String.join("; ", problems));
        }
        return new TrustgateSettings(
                new Tls(text(values, Setting.TLS_CERT), text(values, Setting.TLS_KEY)),
                new Policies(
                        Optional.ofNullable((String) values.get(Setting.POLICIES_DIR))
                                .map(Path::of),
                        duration(values, Setting.POLICIES_RELOAD),
                        text(values, Setting.NAMESPACE),
                        new NamespacedUrls(list(values, Setting.NAMESPACED_URL_PREFIXES))),
                new Admission(
                        (AdmissionHandler.Unmatched) values.get(Setting.UNMATCHED),
                        duration(values, Setting.DEADLINE),
                        duration(values, Setting.EXPIRY_WARNING),
                        Optional.ofNullable((String) values.get(Setting.PULL_SECRET)),
                        (AdmissionHandler.Pin) values.get(Setting.PIN)),
                new CacheSettings(
                        duration(values, Setting.CACHE_TAG_TTL),
                        duration(values, Setting.CACHE_SIGNATURE_TTL),
                        duration(values, Setting.CACHE_VERDICT_TTL),
                        duration(values, Setting.CACHE_TRUST_DATA_RECHECK),
                        duration(values, Setting.CACHE_FAILURE_TTL),
                        duration(values, Setting.CACHE_STALE_IF_ERROR),
                        count(values, Setting.CACHE_MAX_ENTRIES),
                        duration(values, Setting.CACHE_DENIAL_TTL)),
                new TransportOptions(
                        duration(values, Setting.UPSTREAM_CONNECT_TIMEOUT),
                        duration(values, Setting.UPSTREAM_REQUEST_TIMEOUT),
                        count(values, Setting.UPSTREAM_MAX_MANIFEST_BYTES),
                        count(values, Setting.UPSTREAM_MAX_SIGNATURE_BYTES),
                        Math.toIntExact(Math.min(Integer.MAX_VALUE, count(values, Setting.UPSTREAM_MAX_SIGNATURES))),
                        TransportOptions.MAX_TOKEN_BYTES,
                        TransportOptions.MAX_REDIRECTS,
                        java.util.Set.copyOf(hosts(values)),
                        trust),
                values);
    }

    /** The typed value of any setting (a {@link Duration}, a {@code Long}, a {@code Path}...), empty when unset. */
    public Optional<Object> value(Setting setting) {
        return Optional.ofNullable(values.get(setting));
    }

    /** The verifier stack's settings: transport, caches and expiry warning from here, clock and hooks given. */
    public VerifierStack.Settings stack(Clock clock, VerifierStack.Hooks hooks) {
        return new VerifierStack.Settings(transport, cache, clock, admission.expiryWarning(), hooks);
    }

    /** The per-review time budget. */
    public Duration deadline() {
        return admission.deadline();
    }

    /** Notary trust data expiring within this window adds a warning. */
    public Duration expiryWarning() {
        return admission.expiryWarning();
    }

    private static String problem(Setting s, String value, String why) {
        String shown = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        return s.env() + "=\"" + shown + "\" (" + s.property() + ") is invalid: expected "
                + s.kind().expected() + (why == null || why.isBlank() ? "" : " (" + why + ")");
    }

    private static String text(Map<Setting, Object> values, Setting s) {
        return (String) values.get(s);
    }

    private static Duration duration(Map<Setting, Object> values, Setting s) {
        return (Duration) values.get(s);
    }

    private static long count(Map<Setting, Object> values, Setting s) {
        return (Long) values.get(s);
    }

    private static List<String> hosts(Map<Setting, Object> values) {
        return list(values, Setting.INSECURE_REGISTRIES);
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<Setting, Object> values, Setting s) {
        return (List<String>) values.getOrDefault(s, List.of());
    }
}
