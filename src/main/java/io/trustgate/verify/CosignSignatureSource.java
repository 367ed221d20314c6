package io.trustgate.verify;

import io.trustgate.cosign.CosignCheck;
import io.trustgate.cosign.CosignKey;
import io.trustgate.cosign.CosignKeyException;
import io.trustgate.cosign.CosignLimits;
import io.trustgate.cosign.CosignVerifier;
import io.trustgate.cosign.InvalidSignatureManifestException;
import io.trustgate.cosign.SignatureManifest;
import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Signer;
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
 * cosign 2.x key-based signatures ({@code spec.cosign}): the {@code sha256-<hex>.sig} manifest of the digest, in
 * the image's repository or {@code spec.cosign.repository}, one signature per layer. A signature counts for the
 * signers whose PEM public keys verify it and whose identity rule ({@code signedIdentity}) accepts it. No
 * {@code .sig} tag means no cosign signatures.
 */
public final class CosignSignatureSource implements SignatureSource {

    /** The evidence source name. */
    public static final String SOURCE = "cosign";

    private final RegistryClient registry;
    private final CosignVerifier verifier = new CosignVerifier();
    private final Executor crypto;
    /** Parsed keys by the exact key text; keys that are not cosign keys map to empty. */
    private final Map<String, Optional<CosignKey>> keys = new ConcurrentHashMap<>();

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
                && policy.signers().stream().anyMatch(s -> !cosignKeys(s).isEmpty());
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
        ImageReference tag;
        try {
            tag = signatureTag(image, digest, policy);
        } catch (InvalidImageReferenceException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(
                    SourceFindings.problem("cosign: cannot name the signature tag: " + e.getMessage()));
        }
        // The signature repository is read anonymously in this version (pull secrets are not passed to sources).
        RegistryCredentials anonymous = RegistryCredentials.ANONYMOUS;
        return registry.fetchManifest(tag, CosignLimits.MAX_MANIFEST_BYTES, anonymous)
                .thenCompose(manifest -> {
                    if (manifest.isEmpty()) {
                        return CompletableFuture.completedFuture(
                                SourceFindings.problem("no cosign signatures for " + digest + " (no tag " + tag + ")"));
                    }
                    SignatureManifest parsed;
                    try {
                        parsed = SignatureManifest.parse(manifest.get());
                    } catch (InvalidSignatureManifestException e) {
                        return CompletableFuture.completedFuture(
                                SourceFindings.problem("cosign: " + tag + ": " + e.getMessage()));
                    }
                    List<CompletableFuture<byte[]>> payloads = parsed.layers().stream()
                            .map(layer ->
                                    registry.fetchBlob(tag, layer.digest(), CosignLimits.MAX_PAYLOAD_BYTES, anonymous))
                            .toList();
                    return CompletableFuture.allOf(payloads.toArray(CompletableFuture[]::new))
                            .thenApplyAsync(done -> check(image, digest, policy, tag, parsed, payloads), crypto);
                })
                .exceptionally(e -> {
                    String why =
                            "cosign signatures could not be read from " + tag + ": " + ImageVerifier.rootMessage(e);
                    return unwrapped(e) instanceof RegistryUnavailableException
                            ? SourceFindings.unavailable(why)
                            : SourceFindings.problem(why);
                });
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
        for (int i = 0; i < payloads.size(); i++) {
            if (!accepted[i] && rejections[i] != null) {
                problems.add("cosign signature " + (i + 1) + " in " + tag + ": " + rejections[i].detail());
            }
        }
        return new SourceFindings(found, problems, List.of(), null);
    }

    /** The signer's keys that are cosign public keys (a PEM key may also serve Notary). */
    private List<CosignKey> cosignKeys(Signer signer) {
        List<CosignKey> result = new ArrayList<>();
        for (String key : signer.notaryKeys()) {
            keys.computeIfAbsent(key, CosignSignatureSource::parse).ifPresent(result::add);
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
