package io.trustgate.verify;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Threshold;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Checks one image against the policies that govern it: resolves the tag to a digest once, asks every
 * signature source each policy uses for its signers, and applies each policy's threshold.
 */
public final class ImageVerifier {

    private final RegistryClient registry;
    private final List<SignatureSource> sources;

    public ImageVerifier(RegistryClient registry, List<SignatureSource> sources) {
        this.registry = registry;
        this.sources = List.copyOf(sources);
    }

    /** Never completes exceptionally: upstream failures become evidence in the verdict. */
    public CompletableFuture<ImageVerdict> verify(ImageReference image, List<Policy> policies,
            RegistryCredentials credentials) {
        CompletableFuture<String> digest = image.hasDigest()
                ? CompletableFuture.completedFuture(image.digest())
                : registry.resolve(image, credentials).thenApply(ManifestDescriptor::digest);
        return digest.handle((d, error) -> {
            if (error != null) {
                String why = rootMessage(error);
                List<PolicyVerdict> failed = policies.stream()
                        .map(p -> new PolicyVerdict(p, Threshold.evaluate(p, Set.of()),
                                SourceFindings.problem("could not resolve the tag at the registry: " + why)))
                        .toList();
                return CompletableFuture.completedFuture(new ImageVerdict(image, null, failed, why));
            }
            return verifyDigest(image, d, policies);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<ImageVerdict> verifyDigest(ImageReference image, String digest, List<Policy> policies) {
        List<CompletableFuture<PolicyVerdict>> perPolicy = new ArrayList<>();
        for (Policy policy : policies) {
            perPolicy.add(verifyPolicy(image, digest, policy));
        }
        return CompletableFuture.allOf(perPolicy.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new ImageVerdict(image, digest,
                        perPolicy.stream().map(CompletableFuture::join).toList(), null));
    }

    private CompletableFuture<PolicyVerdict> verifyPolicy(ImageReference image, String digest, Policy policy) {
        List<CompletableFuture<SourceFindings>> collected = new ArrayList<>();
        for (SignatureSource source : sources) {
            if (source.appliesTo(policy)) {
                collected.add(source.collect(image, digest, policy)
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
            return new PolicyVerdict(policy, Threshold.evaluate(policy, signers), all);
        });
    }

    static String rootMessage(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
