package io.trustgate.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.image.ImageReference;
import io.trustgate.notation.NotationCheck;
import io.trustgate.notation.NotationLimits;
import io.trustgate.notation.NotationVerifier;
import io.trustgate.notation.TrustedIdentity;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.Referrer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryUnavailableException;
import io.trustgate.tuf.TufKey;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Notation signatures ({@code spec.notation}): the image's OCI referrers of artifact type
 * {@value #ARTIFACT_TYPE} (referrers API or referrers tag), each a manifest whose one layer is the signature
 * envelope. A signature counts for the signers whose PEM certificates are its trust anchors and whose
 * {@code notationIdentities} accept its signing certificate ({@link NotationVerifier}, level strict).
 */
public final class NotationSignatureSource implements SignatureSource {

    /** The evidence source name. */
    public static final String SOURCE = "notation";

    /** The artifact type of a Notation signature manifest. */
    public static final String ARTIFACT_TYPE = "application/vnd.cncf.notary.signature";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClient registry;
    private final NotationVerifier verifier;
    private final Executor crypto;
    /** Parsed certificates by the exact key text; keys that are not certificates map to empty. */
    private final Map<String, Optional<X509Certificate>> anchors = new ConcurrentHashMap<>();

    /**
     * Distinct trust-anchor PEMs kept parsed (every certificate of every policy's signers; cleared when exceeded, as
     * the cosign source's trusted roots are, so policies that churn keys cannot grow it without bound).
     */
    static final int MAX_CACHED_ANCHORS = 1024;

    public NotationSignatureSource(RegistryClient registry, Clock clock, Executor crypto) {
        this.registry = registry;
        this.verifier = new NotationVerifier(clock);
        this.crypto = crypto;
    }

    @Override
    public boolean appliesTo(Policy policy) {
        return policy.notation() != null
                && policy.signers().stream().anyMatch(s -> !anchors(s).isEmpty());
    }

    @Override
    public String describe(Policy policy) {
        return "Notation signatures (OCI referrers) in the image's repository";
    }

    /** One signature found: its manifest digest and envelope (never compared or hashed, so an array is fine). */
    private record Envelope(
            String manifest,
            String mediaType,
            @SuppressWarnings("ArrayRecordComponent") byte[] bytes) {}

    @Override
    public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
        return collect(image, digest, policy, RegistryCredentials.ANONYMOUS);
    }

    /** Notation's signatures are referrers in the image's own repository: read with the review's pull credentials. */
    @Override
    public CompletableFuture<SourceFindings> collect(
            ImageReference image, String digest, Policy policy, RegistryCredentials credentials) {
        // The signed targetArtifact must be this manifest: digest, and media type and size as the registry says them
        // (as notation verify compares them); asked beside the referrers, cached by digest.
        CompletableFuture<ManifestDescriptor> descriptor = registry.resolve(image.withDigest(digest), credentials);
        return registry.referrers(image, digest, ARTIFACT_TYPE, credentials)
                .thenCombine(descriptor, (referrers, manifest) -> new Found(referrers, target(digest, manifest)))
                .thenCompose(found -> {
                    Referrers referrers = found.referrers();
                    if (referrers.entries().isEmpty()) {
                        return CompletableFuture.completedFuture(SourceFindings.problem("no Notation signatures for "
                                + digest + " ("
                                + (referrers.discovery() == Referrers.Discovery.API
                                        ? "referrers API"
                                        : "referrers tag " + Referrers.tagSchemaTag(digest))
                                + ")"));
                    }
                    List<CompletableFuture<Optional<Envelope>>> envelopes = referrers.entries().stream()
                            .limit(NotationLimits.MAX_SIGNATURES)
                            .map(r -> envelope(image, r, credentials))
                            .toList();
                    return CompletableFuture.allOf(envelopes.toArray(CompletableFuture[]::new))
                            .thenApplyAsync(
                                    done -> check(
                                            found.target(),
                                            policy,
                                            referrers.discovery() == Referrers.Discovery.API
                                                    ? "referrers API"
                                                    : "referrers tag " + Referrers.tagSchemaTag(digest),
                                            envelopes,
                                            referrers.truncated()
                                                    || referrers.entries().size() > NotationLimits.MAX_SIGNATURES,
                                            referrers.capped(ARTIFACT_TYPE)),
                                    crypto);
                })
                .exceptionally(e -> {
                    String why = "Notation signatures could not be read for " + image.repository() + "@" + digest + ": "
                            + ImageVerifier.rootMessage(e);
                    return unwrapped(e) instanceof RegistryUnavailableException
                            ? SourceFindings.unavailable(why)
                            : SourceFindings.problem(why);
                });
    }

    /** The signature manifest (by digest) and its one envelope layer; empty when it is not a Notation signature. */
    private CompletableFuture<Optional<Envelope>> envelope(
            ImageReference image, Referrer referrer, RegistryCredentials credentials) {
        ImageReference manifestRef = image.withDigest(referrer.digest());
        return registry.fetchManifest(manifestRef, NotationLimits.MAX_MANIFEST_BYTES, credentials)
                .thenCompose(manifest -> {
                    if (manifest.isEmpty()) {
                        return CompletableFuture.completedFuture(Optional.<Envelope>empty());
                    }
                    JsonNode layer;
                    try {
                        JsonNode root = JSON.readTree(manifest.get());
                        JsonNode layers = root.path("layers");
                        if (!layers.isArray() || layers.size() != 1) {
                            return CompletableFuture.completedFuture(Optional.<Envelope>empty());
                        }
                        layer = layers.get(0);
                    } catch (java.io.IOException e) {
                        return CompletableFuture.completedFuture(Optional.<Envelope>empty());
                    }
                    String mediaType = layer.path("mediaType").asText("");
                    String blob = layer.path("digest").asText("");
                    long size = layer.path("size").asLong(-1);
                    if (size < 0 || size > NotationLimits.MAX_ENVELOPE_BYTES || !blob.startsWith("sha256:")) {
                        return CompletableFuture.completedFuture(Optional.<Envelope>empty());
                    }
                    return registry.fetchBlob(image, blob, NotationLimits.MAX_ENVELOPE_BYTES, credentials)
                            .thenApply(bytes -> Optional.of(new Envelope(referrer.digest(), mediaType, bytes)));
                });
    }

    private record Found(Referrers referrers, NotationVerifier.TargetArtifact target) {}

    private static NotationVerifier.TargetArtifact target(String digest, ManifestDescriptor manifest) {
        if (!digest.equals(manifest.digest())) {
            // a registry that answers for a digest with another one: compare the digest only, which then fails closed
            return new NotationVerifier.TargetArtifact(null, digest, -1);
        }
        return new NotationVerifier.TargetArtifact(manifest.mediaType(), digest, manifest.size());
    }

    private SourceFindings check(
            NotationVerifier.TargetArtifact target,
            Policy policy,
            String listing,
            List<CompletableFuture<Optional<Envelope>>> envelopes,
            boolean truncated,
            boolean capped) {
        List<SignerEvidence> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<SignatureReport> reports = new ArrayList<>();
        Instant expiresAt = null;
        for (CompletableFuture<Optional<Envelope>> f : envelopes) {
            Optional<Envelope> envelope = f.join();
            if (envelope.isEmpty()) {
                continue;
            }
            Envelope e = envelope.get();
            String format = SignatureReport.NOTATION + "-" + envelopeFormat(e.mediaType());
            String location = "referrer " + e.manifest() + " (" + listing + ")";
            NotationCheck.Rejected rejection = null;
            boolean accepted = false;
            for (Signer signer : policy.signers()) {
                List<X509Certificate> trusted = anchors(signer);
                if (trusted.isEmpty()) {
                    continue;
                }
                List<TrustedIdentity> identities = signer.notationIdentities().stream()
                        .map(TrustedIdentity::parse)
                        .toList();
                NotationCheck check = verifier.verify(e.bytes(), e.mediaType(), trusted, identities, target);
                if (check instanceof NotationCheck.Valid v) {
                    accepted = true;
                    reports.add(SignatureReport.counts(format, location, target.digest(), v.subject(), signer.name()));
                    if (v.expiry() != null && (expiresAt == null || v.expiry().isBefore(expiresAt))) {
                        expiresAt = v.expiry();
                    }
                    if (found.stream().noneMatch(x -> x.signer().equals(signer.name()))) {
                        found.add(new SignerEvidence(signer.name(), SOURCE, v.subject()));
                    }
                } else if (check instanceof NotationCheck.Rejected r
                        && (rejection == null || rejection.reason() == NotationCheck.Reason.UNTRUSTED_CHAIN)) {
                    rejection = r;
                }
            }
            if (!accepted && rejection != null) {
                problems.add("Notation signature " + e.manifest() + ": " + rejection.detail());
                reports.add(SignatureReport.rejected(format, location, target.digest(), null, rejection.detail()));
            }
        }
        if (capped) {
            problems.add(cappedProblem(ARTIFACT_TYPE, target.digest()));
        } else if (truncated) {
            problems.add("more Notation signatures than the " + NotationLimits.MAX_SIGNATURES
                    + " examined; the rest were not read");
        }
        return new SourceFindings(found, problems, List.of(), expiresAt, false, reports);
    }

    /** The sentence for a digest with more referrers of one artifact type than the listing keeps. */
    static String cappedProblem(String artifactType, String digest) {
        return "the registry lists more than " + Referrers.MAX_REFERRERS + " referrers of artifact type "
                + (artifactType.isEmpty() ? "(none)" : artifactType) + " for " + digest
                + " (trustgate reads at most " + Referrers.MAX_REFERRERS + " of each type); the rest were not read: "
                + "delete stale ones from the registry";
    }

    /** {@code jws}, {@code cose}, or the media type itself for anything else. */
    private static String envelopeFormat(String mediaType) {
        return switch (mediaType) {
            case NotationVerifier.JWS -> "jws";
            case NotationVerifier.COSE -> "cose";
            default -> mediaType;
        };
    }

    /** The signer's keys that are PEM certificates: its Notation trust anchors. */
    private List<X509Certificate> anchors(Signer signer) {
        List<X509Certificate> result = new ArrayList<>();
        for (String key : signer.notaryKeys()) {
            if (anchors.size() >= MAX_CACHED_ANCHORS && !anchors.containsKey(key)) {
                anchors.clear();
            }
            anchors.computeIfAbsent(key, NotationSignatureSource::certificate).ifPresent(result::add);
        }
        return result;
    }

    /** How many trust-anchor PEMs are kept parsed (for the bound's test). */
    int cachedAnchors() {
        return anchors.size();
    }

    private static Optional<X509Certificate> certificate(String key) {
        if (!key.contains("-----BEGIN CERTIFICATE-----")) {
            return Optional.empty();
        }
        try {
            return Optional.of(TufKey.certificate(key.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            return Optional.empty();
        }
    }

    private static Throwable unwrapped(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
