package io.trustgate.verify;

import io.trustgate.cosign.BundleReferrer;
import io.trustgate.cosign.BundleVerifier;
import io.trustgate.cosign.CertificateIdentity;
import io.trustgate.cosign.CosignCheck;
import io.trustgate.cosign.CosignKey;
import io.trustgate.cosign.CosignKeyException;
import io.trustgate.cosign.CosignLimits;
import io.trustgate.cosign.CosignTrustedRoot;
import io.trustgate.cosign.CosignVerifier;
import io.trustgate.cosign.InvalidBundleException;
import io.trustgate.cosign.InvalidIdentityException;
import io.trustgate.cosign.InvalidSignatureManifestException;
import io.trustgate.cosign.InvalidTrustedRootException;
import io.trustgate.cosign.SignatureManifest;
import io.trustgate.cosign.SigstoreBundle;
import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.policy.KeylessIdentity;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Signer;
import io.trustgate.registry.Referrer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryAuthException;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * cosign signatures ({@code spec.cosign}), in the image's repository or {@code spec.cosign.repository}:
 *
 * <ul>
 *   <li>cosign 2.x: the {@code sha256-<hex>.sig} manifest of the digest, one signature per layer, counting for the
 *       signers whose PEM public keys verify it and whose identity rule ({@code signedIdentity}) accepts it;
 *   <li>cosign 3.x: the Sigstore bundles that refer to the digest ({@link RegistryClient#referrers}: the OCI
 *       referrers API, or the referrers tag schema on registries without it),
 *       key-based (a signer's PEM key verifies the DSSE signature) or keyless (verified against the policy's trusted
 *       root, then matched against a signer's identities).
 * </ul>
 *
 * Neither form present means no cosign signatures.
 */
public final class CosignSignatureSource implements SignatureSource {

    /** The evidence source name. */
    public static final String SOURCE = "cosign";

    /** The empty config media type, listed as the artifact type by registries that ignore the manifest's own. */
    private static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";

    /** Distinct trusted roots kept parsed (one per policy that names one; cleared when exceeded). */
    private static final int MAX_CACHED_ROOTS = 64;

    private final RegistryClient registry;
    private final CosignVerifier verifier = new CosignVerifier();
    private final Executor crypto;
    /** Parsed keys by the exact key text; keys that are not cosign keys map to empty. */
    private final Map<String, Optional<CosignKey>> keys = new ConcurrentHashMap<>();

    /**
     * Distinct key PEMs kept parsed (every key of every policy's signers; cleared when exceeded, as the Notation
     * source's anchors are, so policies that churn keys cannot grow it without bound).
     */
    static final int MAX_CACHED_KEYS = 1024;

    private final BundleVerifier bundleVerifier = new BundleVerifier();
    /** Trusted roots by their exact text (a policy edit that changes the root gives new text). */
    private final Map<String, Optional<CosignTrustedRoot>> roots = new ConcurrentHashMap<>();
    /** Compiled identity rules (checked at policy load, so they compile here). */
    private final Map<KeylessIdentity, Optional<CertificateIdentity>> identityRules = new ConcurrentHashMap<>();

    /**
     * @param crypto where signature checks run, so they never hold an I/O thread
     */
    public CosignSignatureSource(RegistryClient registry, Executor crypto) {
        this.registry = registry;
        this.crypto = crypto;
    }

    @Override
    public boolean appliesTo(Policy policy) {
        return policy.cosign() != null
                && policy.signers().stream()
                        .anyMatch(
                                s -> !cosignKeys(s).isEmpty() || !s.identities().isEmpty());
    }

    @Override
    public String describe(Policy policy) {
        return "cosign signatures in "
                + (policy.cosign().repository() == null
                        ? "the image's repository"
                        : policy.cosign().repository());
    }

    @Override
    public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
        return collect(image, digest, policy, RegistryCredentials.ANONYMOUS);
    }

    @Override
    public CompletableFuture<SourceFindings> collect(
            ImageReference image, String digest, Policy policy, RegistryCredentials credentials) {
        // cosign 2.x (.sig tag) and 3.x (bundle referrers) are read side by side; a signer counts once.
        CompletableFuture<Part> v2 = collectSignatureTag(image, digest, policy, credentials);
        CompletableFuture<Part> v3 = collectBundles(image, digest, policy, credentials);
        return v2.thenCombine(v3, (a, b) -> merge(digest, a, b));
    }

    /**
     * What one of the two forms found; {@code absent} when it found nothing to check at all, so that an unsigned image
     * gets one message naming both places looked in.
     */
    private record Part(SourceFindings findings, String absent) {}

    private static SourceFindings merge(String digest, Part v2, Part v3) {
        if (v2.absent() != null && v3.absent() != null) {
            return SourceFindings.problem(
                    "no cosign signatures for " + digest + " (" + v2.absent() + ", " + v3.absent() + ")");
        }
        SourceFindings a = v2.absent() != null ? SourceFindings.NONE : v2.findings();
        SourceFindings b = v3.absent() != null ? SourceFindings.NONE : v3.findings();
        List<SignerEvidence> found = new ArrayList<>(a.found());
        for (SignerEvidence e : b.found()) {
            if (found.stream().noneMatch(f -> f.signer().equals(e.signer()))) {
                found.add(e);
            }
        }
        List<String> problems = new ArrayList<>(a.problems());
        problems.addAll(b.problems());
        List<SignatureReport> signatures = new ArrayList<>(a.signatures());
        signatures.addAll(b.signatures());
        return new SourceFindings(found, problems, List.of(), null, a.unavailable() || b.unavailable(), signatures);
    }

    /**
     * The review's pull credentials where the signatures live in the image's own registry (host and port as written);
     * anonymous for a {@code spec.cosign.repository} elsewhere, so a pull secret never goes to another registry.
     */
    private static RegistryCredentials credentialsFor(
            ImageReference image, ImageReference signatures, RegistryCredentials credentials) {
        return image.domain().equals(signatures.domain()) ? credentials : RegistryCredentials.ANONYMOUS;
    }

    private CompletableFuture<Part> collectSignatureTag(
            ImageReference image, String digest, Policy policy, RegistryCredentials reviewCredentials) {
        if (policy.signers().stream().allMatch(s -> cosignKeys(s).isEmpty())) {
            return CompletableFuture.completedFuture(new Part(SourceFindings.NONE, "no signer has a cosign key"));
        }
        ImageReference tag;
        try {
            tag = signatureTag(image, digest, policy);
        } catch (InvalidImageReferenceException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(
                    new Part(SourceFindings.problem("cosign: cannot name the signature tag: " + e.getMessage()), null));
        }
        RegistryCredentials credentials = credentialsFor(image, tag, reviewCredentials);
        return registry.fetchManifest(tag, CosignLimits.MAX_MANIFEST_BYTES, credentials)
                .thenCompose(manifest -> {
                    if (manifest.isEmpty()) {
                        return CompletableFuture.completedFuture(new Part(SourceFindings.NONE, "no tag " + tag));
                    }
                    SignatureManifest parsed;
                    try {
                        parsed = SignatureManifest.parse(manifest.get());
                    } catch (InvalidSignatureManifestException e) {
                        return CompletableFuture.completedFuture(
                                new Part(SourceFindings.problem("cosign: " + tag + ": " + e.getMessage()), null));
                    }
                    List<CompletableFuture<byte[]>> payloads = parsed.layers().stream()
                            .map(layer -> registry.fetchBlob(
                                    tag, layer.digest(), CosignLimits.MAX_PAYLOAD_BYTES, credentials))
                            .toList();
                    return CompletableFuture.allOf(payloads.toArray(CompletableFuture[]::new))
                            .thenApplyAsync(
                                    done -> new Part(check(image, digest, policy, tag, parsed, payloads), null),
                                    crypto);
                })
                .exceptionally(e -> new Part(
                        failure("cosign signatures could not be read from " + tag + withheld(image, tag, e), e), null));
    }

    /**
     * cosign 3.x: the Sigstore bundles that refer to the digest (OCI referrers API, or the referrers tag on
     * registries without it), each fetched by digest, its subject checked, its bundle blob checked against its digest.
     */
    private CompletableFuture<Part> collectBundles(
            ImageReference image, String digest, Policy policy, RegistryCredentials reviewCredentials) {
        ImageReference repository;
        try {
            repository = signatureRepository(image, policy);
        } catch (InvalidImageReferenceException e) {
            return CompletableFuture.completedFuture(new Part(
                    SourceFindings.problem("cosign: cannot name the signature repository: " + e.getMessage()), null));
        }
        RegistryCredentials credentials = credentialsFor(image, repository, reviewCredentials);
        // Unfiltered, then filtered here: some registries (go-containerregistry's) list an artifact under its config
        // media type (the empty descriptor's) instead of the manifest's artifactType. What is fetched is checked to be
        // a bundle referrer of this digest either way.
        return registry.referrers(repository, digest, null, credentials)
                .thenCompose(referrers -> {
                    List<String> entries = referrers.entries().stream()
                            .filter(r -> SigstoreBundle.MEDIA_TYPE_V03.equals(r.artifactType())
                                    || EMPTY_CONFIG.equals(r.artifactType()))
                            .map(Referrer::digest)
                            .limit(CosignLimits.MAX_BUNDLES)
                            .toList();
                    List<String> capped = java.util.stream.Stream.of(SigstoreBundle.MEDIA_TYPE_V03, EMPTY_CONFIG)
                            .filter(referrers::capped)
                            .map(type -> NotationSignatureSource.cappedProblem(type, digest))
                            .toList();
                    if (entries.isEmpty()) {
                        return CompletableFuture.completedFuture(
                                new Part(SourceFindings.NONE, "no Sigstore bundle refers to it in " + repository));
                    }
                    List<CompletableFuture<Fetched>> bundles = entries.stream()
                            .map(entry -> fetchBundle(repository, digest, entry, credentials))
                            .toList();
                    return CompletableFuture.allOf(bundles.toArray(CompletableFuture[]::new))
                            .thenApplyAsync(
                                    done -> new Part(
                                            checkBundles(
                                                    digest,
                                                    policy,
                                                    repository,
                                                    referrers.discovery() == Referrers.Discovery.API
                                                            ? "referrers API"
                                                            : "referrers tag " + Referrers.tagSchemaTag(digest),
                                                    bundles.stream()
                                                            .map(CompletableFuture::join)
                                                            .toList(),
                                                    capped),
                                            null),
                                    crypto);
                })
                .exceptionally(e -> new Part(
                        failure(
                                "cosign bundles could not be listed in " + repository + withheld(image, repository, e),
                                e),
                        null));
    }

    /** One referrer's bundle, or why it could not be read. */
    private record Fetched(String referrer, SigstoreBundle bundle, String problem) {}

    private CompletableFuture<Fetched> fetchBundle(
            ImageReference repository, String digest, String entry, RegistryCredentials credentials) {
        ImageReference manifestRef =
                new ImageReference(repository.domain(), repository.path(), null, entry, repository.host());
        return registry.fetchManifest(manifestRef, CosignLimits.MAX_MANIFEST_BYTES, credentials)
                .thenCompose(manifest -> {
                    if (manifest.isEmpty()) {
                        return CompletableFuture.completedFuture(
                                new Fetched(entry, null, "the referrer manifest is gone"));
                    }
                    BundleReferrer referrer;
                    try {
                        referrer = BundleReferrer.parse(manifest.get(), digest);
                    } catch (InvalidBundleException e) {
                        return CompletableFuture.completedFuture(new Fetched(entry, null, e.getMessage()));
                    }
                    return registry.fetchBlob(
                                    repository, referrer.bundleDigest(), CosignLimits.MAX_BUNDLE_BYTES, credentials)
                            .thenApply(bytes -> {
                                try {
                                    return new Fetched(entry, SigstoreBundle.parse(bytes), null);
                                } catch (InvalidBundleException e) {
                                    return new Fetched(entry, null, e.getMessage());
                                }
                            });
                })
                .exceptionally(e -> new Fetched(entry, null, ImageVerifier.rootMessage(e)));
    }

    private SourceFindings checkBundles(
            String digest,
            Policy policy,
            ImageReference repository,
            String listing,
            List<Fetched> bundles,
            List<String> capped) {
        List<SignerEvidence> found = new ArrayList<>();
        List<String> problems = new ArrayList<>(capped);
        List<SignatureReport> reports = new ArrayList<>();
        CosignTrustedRoot root = trustedRoot(policy);
        for (Fetched fetched : bundles) {
            String where = "cosign bundle " + fetched.referrer() + " in " + repository;
            String location = "referrer " + fetched.referrer() + " in " + repository + " (" + listing + ")";
            if (fetched.bundle() == null) {
                problems.add(where + ": " + fetched.problem());
                reports.add(SignatureReport.rejected(
                        SignatureReport.COSIGN_BUNDLE, location, digest, null, fetched.problem()));
                continue;
            }
            String claimed = fetched.bundle().keyless()
                    ? "keyless (certificate not verified)"
                    : fetched.bundle().publicKeyHint() == null
                                    || fetched.bundle().publicKeyHint().isEmpty()
                            ? null
                            : "key hint " + fetched.bundle().publicKeyHint();
            // Keyless: verified once against the trusted root; each signer's identities are then compared.
            BundleVerifier.Keyless keyless = fetched.bundle().keyless()
                            && root != null
                            && policy.signers().stream()
                                    .anyMatch(s -> !s.identities().isEmpty())
                    ? bundleVerifier.verifyKeyless(fetched.bundle(), root, digest)
                    : null;
            CosignCheck.Rejected rejection = null;
            boolean accepted = false;
            for (Signer signer : policy.signers()) {
                CosignCheck check = null;
                List<CosignKey> trusted = cosignKeys(signer);
                if (!fetched.bundle().keyless() && !trusted.isEmpty()) {
                    check = bundleVerifier.verifyWithKeys(fetched.bundle(), trusted, digest);
                } else if (keyless != null && !signer.identities().isEmpty()) {
                    check = keyless.forIdentities(identities(signer));
                }
                if (check instanceof CosignCheck.Valid v) {
                    accepted = true;
                    reports.add(SignatureReport.counts(
                            SignatureReport.COSIGN_BUNDLE, location, digest, v.keyId(), signer.name()));
                    if (found.stream().noneMatch(f -> f.signer().equals(signer.name()))) {
                        found.add(new SignerEvidence(signer.name(), SOURCE, v.keyId()));
                    }
                } else if (check instanceof CosignCheck.Rejected r
                        && (rejection == null || rejection.reason() == CosignCheck.Reason.BAD_SIGNATURE)) {
                    rejection = r;
                }
            }
            if (!accepted) {
                String why;
                if (rejection != null) {
                    why = rejection.detail();
                } else if (fetched.bundle().keyless()) {
                    why = "keyless, but "
                            + (root == null ? "the policy has no cosign.trustedRoot" : "no signer lists identities");
                } else {
                    why = "signed with a key, but no signer has a cosign key";
                }
                problems.add(where + ": " + why);
                reports.add(SignatureReport.rejected(SignatureReport.COSIGN_BUNDLE, location, digest, claimed, why));
            }
        }
        return new SourceFindings(found, problems, List.of(), null, false, reports);
    }

    /**
     * Why a registry that asks for credentials got none: a signature repository on another registry than the image's
     * is read anonymously, so the review's pull secret never leaves the image's registry.
     */
    private static String withheld(ImageReference image, ImageReference signatures, Throwable e) {
        if (image.domain().equals(signatures.domain()) || !(unwrapped(e) instanceof RegistryAuthException)) {
            return "";
        }
        return " (read anonymously: spec.cosign.repository is on " + signatures.domain() + ", not on the image's"
                + " registry " + image.domain() + ", and pull credentials are sent to the image's registry only; make"
                + " the signature repository anonymously readable, or keep the signatures in " + image.domain() + ")";
    }

    private static SourceFindings failure(String what, Throwable e) {
        String why = what + ": " + ImageVerifier.rootMessage(e);
        return unwrapped(e) instanceof RegistryUnavailableException
                ? SourceFindings.unavailable(why)
                : SourceFindings.problem(why);
    }

    /** The repository signatures live in: the image's own unless the policy names another. */
    static ImageReference signatureRepository(ImageReference image, Policy policy)
            throws InvalidImageReferenceException {
        String repository = policy.cosign().repository();
        if (repository == null) {
            return new ImageReference(image.domain(), image.path(), null, null, image.host());
        }
        ImageReference other = ImageReference.parse(repository);
        return new ImageReference(other.domain(), other.path(), null, null, other.host());
    }

    /** {@code <repository>:sha256-<hex>.sig}, in the image's repository unless the policy names another. */
    static ImageReference signatureTag(ImageReference image, String digest, Policy policy)
            throws InvalidImageReferenceException {
        String tag = SignatureManifest.signatureTag(digest);
        String repository = policy.cosign().repository();
        if (repository == null) {
            return new ImageReference(image.domain(), image.path(), tag, null, image.host());
        }
        ImageReference other = ImageReference.parse(repository);
        return new ImageReference(other.domain(), other.path(), tag, null, other.host());
    }

    private SourceFindings check(
            ImageReference image,
            String digest,
            Policy policy,
            ImageReference tag,
            SignatureManifest manifest,
            List<CompletableFuture<byte[]>> payloads) {
        if (manifest.layers().isEmpty()) {
            return SourceFindings.problem("no cosign signatures for " + digest + " in " + tag);
        }
        List<SignerEvidence> found = new ArrayList<>();
        CosignCheck.Rejected[] rejections = new CosignCheck.Rejected[payloads.size()];
        boolean[] accepted = new boolean[payloads.size()];
        String[] keyIds = new String[payloads.size()];
        List<List<String>> counted = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            counted.add(new ArrayList<>());
        }
        for (Signer signer : policy.signers()) {
            List<CosignKey> trusted = cosignKeys(signer);
            if (trusted.isEmpty()) {
                continue;
            }
            for (int i = 0; i < payloads.size(); i++) {
                SignatureManifest.Layer layer = manifest.layers().get(i);
                CosignCheck check = verifier.verify(
                        payloads.get(i).join(), layer.signature(), trusted, digest, image, policy.signedIdentity());
                if (check instanceof CosignCheck.Valid v) {
                    accepted[i] = true;
                    keyIds[i] = v.keyId();
                    counted.get(i).add(signer.name());
                    if (found.stream().noneMatch(f -> f.signer().equals(signer.name()))) {
                        found.add(new SignerEvidence(signer.name(), SOURCE, v.keyId()));
                    }
                } else if (check instanceof CosignCheck.Rejected r
                        && (rejections[i] == null || rejections[i].reason() == CosignCheck.Reason.BAD_SIGNATURE)) {
                    rejections[i] = r;
                }
            }
        }
        List<String> problems = new ArrayList<>();
        List<SignatureReport> reports = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            String location = "tag " + tag.tag() + " layer " + (i + 1) + " in " + tag.repository();
            for (String signer : counted.get(i)) {
                reports.add(SignatureReport.counts(SignatureReport.COSIGN_SIG, location, digest, keyIds[i], signer));
            }
            if (!accepted[i] && rejections[i] != null) {
                problems.add("cosign signature " + (i + 1) + " in " + tag + ": " + rejections[i].detail());
                reports.add(SignatureReport.rejected(
                        SignatureReport.COSIGN_SIG, location, digest, null, rejections[i].detail()));
            } else if (!accepted[i]) {
                reports.add(SignatureReport.rejected(
                        SignatureReport.COSIGN_SIG, location, digest, null, "no signer has a cosign key"));
            }
        }
        return new SourceFindings(found, problems, List.of(), null, false, reports);
    }

    /** The signer's keys that are cosign public keys (a PEM key may also serve Notary). */
    private List<CosignKey> cosignKeys(Signer signer) {
        List<CosignKey> result = new ArrayList<>();
        for (String key : signer.notaryKeys()) {
            if (keys.size() >= MAX_CACHED_KEYS && !keys.containsKey(key)) {
                keys.clear();
            }
            keys.computeIfAbsent(key, CosignSignatureSource::parse).ifPresent(result::add);
        }
        return result;
    }

    /** How many key PEMs are kept parsed (for the bound's test). */
    int cachedKeys() {
        return keys.size();
    }

    private CosignTrustedRoot trustedRoot(Policy policy) {
        String text = policy.cosign().trustedRoot();
        if (text == null) {
            return null;
        }
        if (roots.size() > MAX_CACHED_ROOTS) {
            roots.clear();
        }
        return roots.computeIfAbsent(text, t -> {
                    try {
                        return Optional.of(CosignTrustedRoot.parse(t));
                    } catch (InvalidTrustedRootException e) {
                        return Optional.empty();
                    }
                })
                .orElse(null);
    }

    private List<CertificateIdentity> identities(Signer signer) {
        List<CertificateIdentity> result = new ArrayList<>();
        for (KeylessIdentity identity : signer.identities()) {
            identityRules
                    .computeIfAbsent(identity, i -> {
                        try {
                            return Optional.of(CertificateIdentity.of(i.issuer(), i.subject(), i.subjectRegExp()));
                        } catch (InvalidIdentityException e) {
                            return Optional.empty();
                        }
                    })
                    .ifPresent(result::add);
        }
        return result;
    }

    private static Optional<CosignKey> parse(String key) {
        if (!CosignKey.looksLikePem(key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CosignKey.parse(key));
        } catch (CosignKeyException e) {
            return Optional.empty();
        }
    }

    /** Load-time check: whether the key is a cosign public key (PEM ECDSA P-256/P-384, RSA, Ed25519). */
    public static boolean isCosignKey(String key) {
        return parse(key).isPresent();
    }

    private static Throwable unwrapped(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
