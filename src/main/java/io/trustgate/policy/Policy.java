package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignedIdentity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TrustPolicy or ClusterTrustPolicy compiled for evaluation: patterns compiled, signers validated,
 * defaults applied. Immutable; a policy edit produces a new instance with a new resourceVersion.
 *
 * @param uid the object's uid (a stable hash of the file for policies from a directory)
 * @param resourceVersion changes with every edit, so caches keyed on it see edits at once
 * @param notary {@code null} when the policy does not use Notary v1 trust data
 * @param lookaside base URL of the GPG simple-signing lookaside store, or {@code null}
 * @param signedIdentity how GPG signature identities must match, parsed once at load time
 * @param keyFingerprint a stable hash of the key material the policy was compiled with (signers' inline and
 *     {@code keysFrom} keys, their roles, Notary root pins and CA bundle): a key replaced in a Secret changes
 *     it without changing the policy's resourceVersion, so verdict caches keyed on it see the new key at once
 * @param namespacedImages for a ClusterTrustPolicy, the patterns of images it lets namespaces govern with
 *     their own TrustPolicies alone ({@code spec.allowNamespacedPolicies}); empty for a TrustPolicy
 * @param cosign {@code null} when the policy does not use cosign signatures ({@code spec.cosign})
 * @param notation {@code null} when the policy does not use Notation signatures ({@code spec.notation})
 * @param exemptions whether and how long TrustExceptions may exempt images from it ({@code spec.exceptions})
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
        SignedIdentity signedIdentity,
        String keyFingerprint,
        List<ImagePattern> namespacedImages,
        CosignConfig cosign,
        NotationConfig notation,
        ExemptionRule exemptions) {

    public Policy {
        images = List.copyOf(images);
        signers = List.copyOf(signers);
        requiredSigners = List.copyOf(requiredSigners);
        namespacedImages = List.copyOf(namespacedImages);
        if (keyFingerprint == null) {
            keyFingerprint = keyFingerprint(signers, notary, cosign);
        }
        if (exemptions == null) {
            exemptions = ExemptionRule.NONE;
        }
    }

    /**
     * A builder for policies that are not compiled from a resource (the warm-up's embedded policy, tests); the
     * policy compiler uses the canonical constructor. Unset fields take the values of a policy with nothing
     * optional: Enforce mode, every namespace, no images, no signers, one signature required, no required signers,
     * the default signed identity, no Notary, lookaside, cosign or Notation, the key fingerprint computed from the
     * keys, nothing delegated to namespaces and no TrustException exemptions.
     *
     * @param id the policy's name and namespace
     * @param uid its uid
     * @param resourceVersion its resourceVersion
     */
    public static Builder builder(PolicyId id, String uid, String resourceVersion) {
        return new Builder(id, uid, resourceVersion);
    }

    /** A builder holding every field of this policy, to build a variant of it. */
    public Builder toBuilder() {
        return new Builder(id, uid, resourceVersion)
                .mode(mode)
                .namespaceSelector(namespaceSelector)
                .images(images)
                .notary(notary)
                .lookaside(lookaside)
                .signers(signers)
                .minSignatures(minSignatures)
                .requiredSigners(requiredSigners)
                .signedIdentity(signedIdentity)
                .keyFingerprint(keyFingerprint)
                .namespacedImages(namespacedImages)
                .cosign(cosign)
                .notation(notation)
                .exemptions(exemptions);
    }

    /** The same policy with another {@code spec.exceptions}. */
    public Policy withExemptions(ExemptionRule rule) {
        return toBuilder().exemptions(rule).build();
    }

    /** Builds a {@link Policy} field by field; see {@link Policy#builder}. */
    public static final class Builder {
        private final PolicyId id;
        private final String uid;
        private final String resourceVersion;
        private Mode mode = Mode.Enforce;
        private LabelSelector namespaceSelector = LabelSelector.EVERYTHING;
        private List<ImagePattern> images = List.of();
        private NotaryConfig notary;
        private String lookaside;
        private List<Signer> signers = List.of();
        private int minSignatures = 1;
        private List<String> requiredSigners = List.of();
        private SignedIdentity signedIdentity = SignedIdentity.DEFAULT;
        private String keyFingerprint;
        private List<ImagePattern> namespacedImages = List.of();
        private CosignConfig cosign;
        private NotationConfig notation;
        private ExemptionRule exemptions = ExemptionRule.NONE;

        private Builder(PolicyId id, String uid, String resourceVersion) {
            this.id = Objects.requireNonNull(id, "id");
            this.uid = Objects.requireNonNull(uid, "uid");
            this.resourceVersion = Objects.requireNonNull(resourceVersion, "resourceVersion");
        }

        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        public Builder namespaceSelector(LabelSelector namespaceSelector) {
            this.namespaceSelector = namespaceSelector;
            return this;
        }

        public Builder images(List<ImagePattern> images) {
            this.images = images;
            return this;
        }

        public Builder notary(NotaryConfig notary) {
            this.notary = notary;
            return this;
        }

        public Builder lookaside(String lookaside) {
            this.lookaside = lookaside;
            return this;
        }

        public Builder signers(List<Signer> signers) {
            this.signers = signers;
            return this;
        }

        public Builder minSignatures(int minSignatures) {
            this.minSignatures = minSignatures;
            return this;
        }

        public Builder requiredSigners(List<String> requiredSigners) {
            this.requiredSigners = requiredSigners;
            return this;
        }

        public Builder signedIdentity(SignedIdentity signedIdentity) {
            this.signedIdentity = signedIdentity;
            return this;
        }

        /** An explicit key fingerprint; unset ({@code null}), it is computed from the signers, Notary and cosign. */
        public Builder keyFingerprint(String keyFingerprint) {
            this.keyFingerprint = keyFingerprint;
            return this;
        }

        public Builder namespacedImages(List<ImagePattern> namespacedImages) {
            this.namespacedImages = namespacedImages;
            return this;
        }

        public Builder cosign(CosignConfig cosign) {
            this.cosign = cosign;
            return this;
        }

        public Builder notation(NotationConfig notation) {
            this.notation = notation;
            return this;
        }

        public Builder exemptions(ExemptionRule exemptions) {
            this.exemptions = exemptions;
            return this;
        }

        public Policy build() {
            return new Policy(
                    id,
                    uid,
                    resourceVersion,
                    mode,
                    namespaceSelector,
                    images,
                    notary,
                    lookaside,
                    signers,
                    minSignatures,
                    requiredSigners,
                    signedIdentity,
                    keyFingerprint,
                    namespacedImages,
                    cosign,
                    notation,
                    exemptions);
        }
    }

    /** SHA-256 over every signer's name, roles and keys, and the Notary root pins and CA bundle (hex, 128 bits). */
    public static String keyFingerprint(List<Signer> signers, NotaryConfig notary) {
        return keyFingerprint(signers, notary, null);
    }

    /**
     * {@link #keyFingerprint(List, NotaryConfig)} plus the signers' keyless identities and the cosign trusted root, so
     * that a trusted root replaced in its Secret invalidates what was verified under the old one.
     */
    public static String keyFingerprint(List<Signer> signers, NotaryConfig notary, CosignConfig cosign) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Signer s : signers) {
            field(sha, "signer", s.name());
            s.roles().forEach(r -> field(sha, "role", r));
            s.keys().forEach(k -> field(sha, "key", k));
            for (KeylessIdentity identity : s.identities()) {
                field(sha, "issuer", identity.issuer());
                field(sha, "subject", identity.subject() == null ? "" : identity.subject());
                field(sha, "subjectRegExp", identity.subjectRegExp() == null ? "" : identity.subjectRegExp());
            }
            s.notationIdentities().forEach(i -> field(sha, "notation-identity", i));
        }
        if (cosign != null && cosign.trustedRoot() != null) {
            field(sha, "trustedRoot", cosign.trustedRoot());
        }
        if (notary != null) {
            notary.rootKeys().forEach(k -> field(sha, "root", k));
            field(sha, "ca", notary.caBundle() == null ? "" : notary.caBundle());
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    private static void field(MessageDigest sha, String name, String value) {
        // length-prefixed, so that no two different lists of keys hash the same
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((":" + bytes.length + ":").getBytes(StandardCharsets.UTF_8));
        sha.update(bytes);
    }

    /** Whether the policy applies in this namespace: its own namespace, or a matching namespaceSelector. */
    public boolean appliesIn(String namespace, Map<String, String> namespaceLabels) {
        if (!id.isCluster()) {
            return id.namespace().equals(namespace);
        }
        return namespaceSelector.matches(namespaceLabels);
    }

    /** Whether one of the policy's image patterns matches the image. */
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

    /** Identifies this exact version of the policy and its keys in cache keys. */
    public String versionKey() {
        return uid + "@" + resourceVersion + "#" + keyFingerprint;
    }

    /**
     * Whether this ClusterTrustPolicy lets namespaces govern the image with their own TrustPolicies
     * ({@code spec.allowNamespacedPolicies}).
     */
    public boolean delegatesToNamespaces(String repository, String tag) {
        for (ImagePattern p : namespacedImages) {
            if (p.matches(repository, tag)) {
                return true;
            }
        }
        return false;
    }

    public List<String> signerNames() {
        return signers.stream().map(Signer::name).toList();
    }
}
