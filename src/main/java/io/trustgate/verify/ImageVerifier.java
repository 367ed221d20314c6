package io.trustgate.verify;

import com.github.benmanes.caffeine.cache.Cache;
import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.Caffeines;
import io.trustgate.cache.ClockTicker;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Checks one image against the policies that govern it: resolves the tag to a digest once, asks every
 * signature source each policy uses for its signers, and applies each policy's threshold.
 *
 * <p>A policy's verdict is cached under the policy's uid, resourceVersion and key fingerprint (an edit of the
 * policy or of a {@code keysFrom} Secret invalidates it without bookkeeping) and the image digest, no longer
 * than the trust data behind it stays valid, and computed once however many reviews ask at the same time. A
 * denial for missing or invalid signatures lives only the denial TTL, and the image is then checked against
 * fresh upstream answers, so a signature added after a rejection counts soon.
 *
 * <p>Stale-if-error: when an upstream cannot be reached, the last good verdict <em>for the same digest</em>
 * may be served while still valid, with a warning. When the tag itself cannot be resolved now, the last good
 * verdict for the tag is returned with {@link ImageVerdict#pinRequired()}: it speaks about the old digest only,
 * and admits nothing unless the pod is pinned to that digest. A verdict is never served for another digest.
 */
public final class ImageVerifier {

    /**
     * Policy version and keys, the image as written, its digest, and the pull credentials the signatures were read
     * with: no string building per look-up. The credentials are part of the key because what a registry shows
     * depends on them (an anonymous read of a private registry's signatures is denied): a check without them must
     * not hand its denial to a concurrent or later check with them, nor borrow a verdict read with someone else's.
     */
    private record VerdictKey(
            String policyUid,
            String policyResourceVersion,
            String keyFingerprint,
            ImageReference image,
            String digest,
            RegistryCredentials credentials) {}

    /** The last good verdict of one policy version for one repository, tag (or none) and digest. */
    private record DigestKey(String policyVersion, String repository, String tag, String digest) {}

    /** The last good verdict of one policy version for one repository and tag, whatever its digest. */
    private record TagKey(String policyVersion, String repository, String tag) {}

    /** An image digest one policy denied: its next check asks the upstreams afresh. */
    private record DenialKey(String policyUid, ImageReference image, String digest) {}

    private record Stale(PolicyVerdict verdict, Instant verifiedAt) {}

    private final RegistryClient registry;
    private final List<SignatureSource> sources;
    private final Clock clock;
    private final CacheSettings settings;
    private final OutcomeCache<VerdictKey, PolicyVerdict> verdicts;
    private final Cache<DigestKey, Stale> lastGoodByDigest;
    private final Cache<TagKey, Stale> lastGoodByTag;
    private final Cache<DenialKey, Boolean> denied;

    public ImageVerifier(RegistryClient registry, List<SignatureSource> sources) {
        this(registry, sources, Clock.systemUTC(), CacheSettings.disabled());
    }

    public ImageVerifier(RegistryClient registry, List<SignatureSource> sources, Clock clock, CacheSettings settings) {
        this.registry = registry;
        this.sources = List.copyOf(sources);
        this.clock = clock;
        this.settings = settings;
        this.verdicts =
                new OutcomeCache<>("verdicts", this::lifetime, settings.failureTtl(), settings.maxEntries(), clock);
        this.lastGoodByDigest = bounded(settings.staleIfError());
        this.lastGoodByTag = bounded(settings.staleIfError());
        // Remembered well past the denial TTL: the next check of a denied image may come much later.
        this.denied = bounded(Duration.ofHours(1));
    }

    private <K, V> Cache<K, V> bounded(Duration lifetime) {
        return Caffeines.newBuilder()
                .ticker(new ClockTicker(clock))
                .maximumSize(Math.max(1, settings.maxEntries()))
                .expireAfterWrite(lifetime)
                .build();
    }

    public OutcomeCache<?, ?> verdictCache() {
        return verdicts;
    }

    public CompletableFuture<ImageVerdict> verify(
            ImageReference image, List<Policy> policies, RegistryCredentials credentials) {
        return verify(image, policies, credentials, new Progress());
    }

    /** Never completes exceptionally: upstream failures become evidence in the verdict. */
    public CompletableFuture<ImageVerdict> verify(
            ImageReference image, List<Policy> policies, RegistryCredentials credentials, Progress progress) {
        if (!image.hasDigest()) {
            prefetch(image, policies);
        }
        CompletableFuture<String> digest = image.hasDigest()
                ? CompletableFuture.completedFuture(image.digest())
                : progress.track(
                                "registry " + image.domain() + " (resolving " + image.repository() + ":" + image.tag()
                                        + ")",
                                registry.resolve(image, credentials))
                        .thenApply(ManifestDescriptor::digest);
        // handle-then-compose recovers from the resolution's failure only; the inner future is composed below.
        @SuppressWarnings("FutureReturnValueIgnored")
        CompletableFuture<CompletableFuture<ImageVerdict>> next = digest.handle((d, error) -> {
            if (error != null) {
                String why = rootMessage(error);
                boolean unavailable = unwrap(error) instanceof RegistryUnavailableException;
                String problem = "could not resolve the tag at the registry: " + why;
                if (unavailable) {
                    ImageVerdict pinned = lastGoodForTag(image, policies, problem);
                    if (pinned != null) {
                        return CompletableFuture.completedFuture(pinned);
                    }
                }
                List<PolicyVerdict> failed = policies.stream()
                        .map(p -> new PolicyVerdict(
                                p,
                                Threshold.evaluate(p, Set.of()),
                                unavailable ? SourceFindings.unavailable(problem) : SourceFindings.problem(problem)))
                        .toList();
                return CompletableFuture.completedFuture(new ImageVerdict(image, null, failed, why));
            }
            progress.resolved(d);
            return verifyDigest(image, d, policies, credentials, progress);
        });
        return next.thenCompose(f -> f);
    }

    /**
     * Lets the sources start what does not need the digest (Notary trust data) while the tag resolves: two
     * independent round trips overlap. What they start is only read by {@link #verifyDigest}, which decides as
     * before; a prefetch that fails is reported there, naming its upstream.
     */
    private void prefetch(ImageReference image, List<Policy> policies) {
        for (Policy policy : policies) {
            for (SignatureSource source : sources) {
                if (source.appliesTo(policy)) {
                    try {
                        source.prefetch(image, policy);
                    } catch (RuntimeException e) {
                        // a hint only: collect() makes the same requests and reports their failure
                    }
                }
            }
        }
    }

    /**
     * The verdict for an image whose check ran out of time: for the digest resolved (if it was), the last
     * good verdicts of that digest where still valid; for a tag still unresolved, the last good verdicts of
     * the tag, to be pinned ({@link ImageVerdict#pinRequired()}); otherwise unsatisfied verdicts naming what
     * did not answer.
     */
    public ImageVerdict timedOut(ImageReference image, List<Policy> policies, Progress progress, Duration budget) {
        String waiting =
                progress.pending().isEmpty() ? "signature verification" : String.join(", ", progress.pending());
        String problem = "no answer within " + budget.toMillis() / 1000.0 + " s from " + waiting;
        String digest = image.hasDigest() ? image.digest() : progress.resolvedDigest();
        if (digest == null) {
            ImageVerdict pinned = lastGoodForTag(image, policies, problem);
            if (pinned != null) {
                return pinned;
            }
            List<PolicyVerdict> out = policies.stream()
                    .map(p ->
                            new PolicyVerdict(p, Threshold.evaluate(p, Set.of()), SourceFindings.unavailable(problem)))
                    .toList();
            return new ImageVerdict(image, null, out, problem);
        }
        List<PolicyVerdict> out = policies.stream()
                .map(p -> staleOr(
                        p,
                        image,
                        digest,
                        new PolicyVerdict(
                                p, Threshold.evaluate(p, Set.of()), SourceFindings.unavailable(problem), digest)))
                .toList();
        return new ImageVerdict(image, digest, out, null);
    }

    private CompletableFuture<ImageVerdict> verifyDigest(
            ImageReference image,
            String digest,
            List<Policy> policies,
            RegistryCredentials credentials,
            Progress progress) {
        List<CompletableFuture<PolicyVerdict>> perPolicy = new ArrayList<>();
        for (Policy policy : policies) {
            VerdictKey key = new VerdictKey(
                    policy.uid(), policy.resourceVersion(), policy.keyFingerprint(), image, digest, credentials);
            perPolicy.add(verdicts.get(
                            key,
                            () -> verifyPolicy(image, digest, policy, credentials, progress)
                                    .thenApply(v -> remember(image, digest, v)))
                    .thenApply(v -> v.findings().unavailable() ? staleOr(policy, image, digest, v) : v));
        }
        return CompletableFuture.allOf(perPolicy.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new ImageVerdict(
                        image,
                        digest,
                        perPolicy.stream().map(CompletableFuture::join).toList(),
                        null));
    }

    private CompletableFuture<PolicyVerdict> verifyPolicy(
            ImageReference image, String digest, Policy policy, RegistryCredentials credentials, Progress progress) {
        // A denial expired: what the upstream caches remember may be the very answer that caused it.
        boolean afterDenial = denied.asMap().remove(new DenialKey(policy.uid(), image, digest)) != null;
        List<CompletableFuture<SourceFindings>> collected = new ArrayList<>();
        for (SignatureSource source : sources) {
            if (source.appliesTo(policy)) {
                if (afterDenial) {
                    source.forget(image, digest, policy);
                }
                collected.add(
                        progress.track(source.describe(policy), source.collect(image, digest, policy, credentials))
                                .exceptionally(e -> SourceFindings.problem(rootMessage(e))));
            }
        }
        if (collected.isEmpty()) {
            collected.add(CompletableFuture.completedFuture(
                    SourceFindings.problem("the policy names no signature source (set notary or lookaside)")));
        }
        return CompletableFuture.allOf(collected.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    SourceFindings all = SourceFindings.NONE;
                    for (CompletableFuture<SourceFindings> f : collected) {
                        all = all.plus(f.join());
                    }
                    Set<String> signers =
                            all.found().stream().map(SignerEvidence::signer).collect(Collectors.toSet());
                    return new PolicyVerdict(policy, Threshold.evaluate(policy, signers), all, digest);
                });
    }

    /**
     * A verdict lives for the verdict TTL and never beyond its trust data; briefly (failure TTL) when upstreams
     * failed, and at most the denial TTL when the signatures did not satisfy the policy.
     */
    private Duration lifetime(PolicyVerdict v) {
        if (v.findings().unavailable()) {
            return settings.failureTtl();
        }
        Duration ttl = v.satisfied() ? settings.verdictTtl() : min(settings.verdictTtl(), settings.denialTtl());
        Instant expires = v.findings().expiresAt();
        if (expires != null) {
            ttl = min(ttl, Duration.between(clock.instant(), expires));
        }
        return ttl.isNegative() ? Duration.ZERO : ttl;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private PolicyVerdict remember(ImageReference image, String digest, PolicyVerdict v) {
        if (v.findings().unavailable()) {
            return v;
        }
        if (!v.satisfied()) {
            denied.put(new DenialKey(v.policy().uid(), image, digest), Boolean.TRUE);
            return v;
        }
        if (!settings.staleIfError().isZero()) {
            Stale stale = new Stale(v, clock.instant());
            lastGoodByDigest.put(
                    new DigestKey(v.policy().versionKey(), image.repository(), image.tag(), digest), stale);
            if (image.tag() != null && !image.hasDigest()) {
                lastGoodByTag.put(new TagKey(v.policy().versionKey(), image.repository(), image.tag()), stale);
            }
        }
        return v;
    }

    /** The last good verdict for this very digest, if still valid, else {@code failed}. */
    private PolicyVerdict staleOr(Policy policy, ImageReference image, String digest, PolicyVerdict failed) {
        Stale stale = lastGoodByDigest.getIfPresent(
                new DigestKey(policy.versionKey(), image.repository(), image.tag(), digest));
        if (stale == null || !fresh(stale) || !digest.equals(stale.verdict().digest())) {
            return failed;
        }
        return served(stale, image, policy, failed);
    }

    /**
     * The tag could not be resolved now: the last good verdicts of every policy for this tag, if all are
     * still valid and about one digest, flagged {@link ImageVerdict#pinRequired()}; otherwise {@code null}.
     */
    private ImageVerdict lastGoodForTag(ImageReference image, List<Policy> policies, String problem) {
        if (image.tag() == null || image.hasDigest() || policies.isEmpty()) {
            return null;
        }
        List<PolicyVerdict> out = new ArrayList<>();
        String digest = null;
        for (Policy policy : policies) {
            Stale stale = lastGoodByTag.getIfPresent(new TagKey(policy.versionKey(), image.repository(), image.tag()));
            if (stale == null
                    || !fresh(stale)
                    || (digest != null && !digest.equals(stale.verdict().digest()))) {
                return null;
            }
            digest = stale.verdict().digest();
            out.add(served(
                    stale,
                    image,
                    policy,
                    new PolicyVerdict(
                            policy, Threshold.evaluate(policy, Set.of()), SourceFindings.unavailable(problem))));
        }
        return new ImageVerdict(image, digest, out, null, true);
    }

    private boolean fresh(Stale stale) {
        Instant now = clock.instant();
        Instant expires = stale.verdict().findings().expiresAt();
        return stale.verifiedAt().plus(settings.staleIfError()).isAfter(now)
                && (expires == null || expires.isAfter(now))
                && stale.verdict().digest() != null;
    }

    private PolicyVerdict served(Stale stale, ImageReference image, Policy policy, PolicyVerdict failed) {
        SourceFindings f = stale.verdict().findings();
        List<String> warnings = new ArrayList<>(f.warnings());
        warnings.add("trustgate: " + image + " (" + stale.verdict().digest() + ") admitted on the verdict of "
                + stale.verifiedAt() + " under " + policy.id() + " because its upstreams failed now ("
                + String.join("; ", failed.findings().problems()) + ")");
        return new PolicyVerdict(
                stale.verdict().policy(),
                stale.verdict().outcome(),
                new SourceFindings(f.found(), f.problems(), warnings, f.expiresAt(), false, f.signatures()),
                stale.verdict().digest());
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
