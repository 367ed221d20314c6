package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignedIdentity;
import java.util.List;
import java.util.Map;

/**
 * A TrustPolicy or ClusterTrustPolicy compiled for evaluation: patterns compiled, signers validated,
 * defaults applied. Immutable; a policy edit produces a new instance with a new resourceVersion.
 *
 * @param uid the object's uid (a stable hash of the file for policies from a directory)
 * @param resourceVersion changes with every edit, so caches keyed on it see edits at once
 * @param notary {@code null} when the policy does not use Notary v1 trust data
 * @param lookaside base URL of the GPG simple-signing lookaside store, or {@code null}
 * @param signedIdentity how GPG signature identities must match, parsed once at load time
 */
public record Policy(
        PolicyId id,
        String uid,
        String resourceVersion,
        Mode mode,
        LabelSelector namespaceSelector,
        List<ImagePattern> images,
        NotaryConfig notary,
        String lookaside,
        List<Signer> signers,
        int minSignatures,
        List<String> requiredSigners,
        SignedIdentity signedIdentity) {

    public Policy {
        images = List.copyOf(images);
        signers = List.copyOf(signers);
        requiredSigners = List.copyOf(requiredSigners);
    }

    /** Whether the policy applies in this namespace: its own namespace, or a matching namespaceSelector. */
    public boolean appliesIn(String namespace, Map<String, String> namespaceLabels) {
        if (!id.isCluster()) {
            return id.namespace().equals(namespace);
        }
        return namespaceSelector.matches(namespaceLabels);
    }

    /** Whether one of the policy's {@code images} patterns matches the image. */
    public boolean governs(ImageReference image) {
        return governs(image.repository(), image.tag());
    }

    /** {@link #governs(ImageReference)} for a repository computed once by the caller. */
    public boolean governs(String repository, String tag) {
        for (ImagePattern p : images) {
            if (p.matches(repository, tag)) {
                return true;
            }
        }
        return false;
    }

    /** Identifies this exact version of the policy in cache keys. */
    public String versionKey() {
        return uid + "@" + resourceVersion;
    }

    public List<String> signerNames() {
        return signers.stream().map(Signer::name).toList();
    }
}
