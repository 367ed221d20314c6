package io.trustgate.verify;

import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.OutcomeCache;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Threshold;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Checks one image against the policies that govern it: resolves the tag to a digest once, asks every
 * signature source each policy uses for its signers, and applies each policy's threshold.
 *
 * <p>A policy's verdict on one image digest is cached under the policy's uid and resourceVersion (an edit
 * invalidates it without bookkeeping), no longer than the trust data behind it stays valid, and computed
 * once however many reviews ask at the same time. When an upstream cannot be reached, the last good
 * verdict may be served while it is still valid (stale-if-error), with a warning that says so.
 */
public final class ImageVerifier {

    /** Policy version (uid + resourceVersion), the image as written, and its digest: no string building per look-up. */
    private record VerdictKey(String policyUid, String policyResourceVersion, ImageReference image, String digest) {}

    private record Stale(PolicyVerdict verdict, Instant verifiedAt) {}

    private final RegistryClient registry;
    private final List<SignatureSource> sources;
    private final Clock clock;
    private final CacheSettings settings;
    private final OutcomeCache<VerdictKey, PolicyVerdict> verdicts;
    /** The last good verdict per policy and image reference (as written), for stale-if-error. */
    private final Map<String, Stale> lastGood = new ConcurrentHashMap<>();

    public ImageVerifier(RegistryClient registry, List<SignatureSource> sources) {
        this(registry, sources, Clock.systemUTC(), CacheSettings.disabled());
    }

    public ImageVerifier(RegistryClient registry, List<SignatureSource> sources, Clock clock, CacheSettings settings) {
        this.registry = registry;
        this.sources = List.copyOf(sources);
        this.clock = clock;
        this.settings = settings;
        this.verdicts = new OutcomeCache<>("verdicts", this::lifetime, settings.failureTtl(), settings.maxEntries(), clock);
    }

    public OutcomeCache<?, ?> verdictCache() {
        return verdicts;
    }

    public CompletableFuture<ImageVerdict> verify(ImageReference image, List<Policy> policies,
            RegistryCredentials credentials) {
        return verify(image, policies, credentials, new Progress());
    }

    /** Never completes exceptionally: upstream failures become evidence in the verdict. */
    public CompletableFuture<ImageVerdict> verify(ImageReference image, List<Policy> policies,
            RegistryCredentials credentials, Progress progress) {
        CompletableFuture<String> digest = image.hasDigest()
                ? CompletableFuture.completedFuture(image.digest())
                : progress.track("registry " + image.domain() + " (resolving " + image.repository() + ":" + image.tag() + ")",
                        registry.resolve(image, credentials)).thenApply(ManifestDescriptor::digest);
        return digest.handle((d, error) -> {
            if (error != null) {
                String why = rootMessage(error);
                boolean unavailable = unwrap(error) instanceof RegistryUnavailableException;
                List<PolicyVerdict> failed = policies.stream()
                        .map(p -> staleOr(p, image, new PolicyVerdict(p, Threshold.evaluate(p, Set.of()),
                                unavailable ? SourceFindings.unavailable("could not resolve the tag at the registry: " + why)
                                        : SourceFindings.problem("could not resolve the tag at the registry: " + why))))
                        .toList();
                String digestFromStale = failed.stream().map(PolicyVerdict::digest).filter(Objects::nonNull).findFirst().orElse(null);
                return CompletableFuture.completedFuture(new ImageVerdict(image, digestFromStale, failed,
                        digestFromStale == null ? why : null));
            }
            return verifyDigest(image, d, policies, progress);
        }).thenCompose(f -> f);
    }

    /**
     * The verdict for an image whose check ran out of time: the last good verdicts where still valid,
     * otherwise unsatisfied verdicts naming what did not answer.
     */
    public ImageVerdict timedOut(ImageReference image, List<Policy> policies, Progress progress, Duration budget) {
        String waiting = progress.pending().isEmpty() ? "signature verification" : String.join(", ", progress.pending());
        String problem = "no answer within " + budget.toMillis() / 1000.0 + " s from " + waiting;
        List<PolicyVerdict> out = policies.stream()
                .map(p -> staleOr(p, image, new PolicyVerdict(p, Threshold.evaluate(p, Set.of()), SourceFindings.unavailable(problem))))
                .toList();
        String digest = out.stream().map(PolicyVerdict::digest).filter(Objects::nonNull).findFirst().orElse(null);
        return new ImageVerdict(image, digest, out, digest == null ? problem : null);
    }

    private CompletableFuture<ImageVerdict> verifyDigest(ImageReference image, String digest, List<Policy> policies,
            Progress progress) {
        List<CompletableFuture<PolicyVerdict>> perPolicy = new ArrayList<>();
        for (Policy policy : policies) {
            VerdictKey key = new VerdictKey(policy.uid(), policy.resourceVersion(), image, digest);
            perPolicy.add(verdicts.get(key, () -> verifyPolicy(image, digest, policy, progress).thenApply(v -> remember(image, v)))
                    .thenApply(v -> v.findings().unavailable() ? staleOr(policy, image, v) : v));
        }
        return CompletableFuture.allOf(perPolicy.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new ImageVerdict(image, digest,
                        perPolicy.stream().map(CompletableFuture::join).toList(), null));
    }

    private CompletableFuture<PolicyVerdict> verifyPolicy(ImageReference image, String digest, Policy policy,
            Progress progress) {
        List<CompletableFuture<SourceFindings>> collected = new ArrayList<>();
        for (SignatureSource source : sources) {
            if (source.appliesTo(policy)) {
                collected.add(progress.track(source.describe(policy), source.collect(image, digest, policy))
                        .exceptionally(e -> SourceFindings.problem(rootMessage(e))));
            }
        }
        if (collected.isEmpty()) {
            collected.add(CompletableFuture.completedFuture(SourceFindings.problem(
                    "the policy names no signature source (set notary or lookaside)")));
        }
        return CompletableFuture.allOf(collected.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            SourceFindings all = SourceFindings.NONE;
            for (CompletableFuture<SourceFindings> f : collected) {
                all = all.plus(f.join());
            }
            Set<String> signers = all.found().stream().map(SignerEvidence::signer).collect(Collectors.toSet());
            return new PolicyVerdict(policy, Threshold.evaluate(policy, signers), all, digest);
        });
    }

    /** A verdict lives for the verdict TTL, never beyond its trust data, and briefly when upstreams failed. */
    private Duration lifetime(PolicyVerdict v) {
        if (v.findings().unavailable()) {
            return settings.failureTtl();
        }
        Duration ttl = settings.verdictTtl();
        Instant expires = v.findings().expiresAt();
        if (expires != null) {
            Duration left = Duration.between(clock.instant(), expires);
            ttl = left.compareTo(ttl) < 0 ? left : ttl;
        }
        return ttl.isNegative() ? Duration.ZERO : ttl;
    }

    private PolicyVerdict remember(ImageReference image, PolicyVerdict v) {
        if (v.satisfied() && !v.findings().unavailable() && !settings.staleIfError().isZero()) {
            lastGood.put(staleKey(v.policy(), image), new Stale(v, clock.instant()));
        }
        return v;
    }

    private PolicyVerdict staleOr(Policy policy, ImageReference image, PolicyVerdict failed) {
        Stale stale = lastGood.get(staleKey(policy, image));
        if (stale == null) {
            return failed;
        }
        Instant now = clock.instant();
        Instant expires = stale.verdict().findings().expiresAt();
        boolean fresh = stale.verifiedAt().plus(settings.staleIfError()).isAfter(now) && (expires == null || expires.isAfter(now));
        if (!fresh) {
            lastGood.remove(staleKey(policy, image), stale);
            return failed;
        }
        SourceFindings f = stale.verdict().findings();
        List<String> warnings = new ArrayList<>(f.warnings());
        warnings.add("trustgate: " + image + " admitted on the verdict of " + stale.verifiedAt() + " under " + policy.id()
                + " because its upstreams failed now (" + String.join("; ", failed.findings().problems()) + ")");
        return new PolicyVerdict(stale.verdict().policy(), stale.verdict().outcome(),
                new SourceFindings(f.found(), f.problems(), warnings, f.expiresAt(), false), stale.verdict().digest());
    }

    private static String staleKey(Policy policy, ImageReference image) {
        return policy.versionKey() + "|" + image;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String rootMessage(Throwable error) {
        Throwable t = unwrap(error);
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
