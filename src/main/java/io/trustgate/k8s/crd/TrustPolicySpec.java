package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.trustgate.policy.Mode;
import java.util.ArrayList;
import java.util.List;

/** The spec of a TrustPolicy: which images need which signers, and how many. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustPolicySpec {

    /** Accepted values of {@code signedIdentity}. */
    public enum SignedIdentity {
        matchRepoDigestOrExact,
        matchRepository,
        matchExact
    }

    @JsonPropertyDescription("What happens to an image that does not satisfy the policy: Enforce denies it, "
            + "Warn admits it with a warning the client shows, Audit admits it and records it. Default Enforce.")
    @Default("Enforce")
    public Mode mode;

    @JsonPropertyDescription("Image repository patterns this policy governs, matched against the normalised "
            + "repository (registry.example.com/team/app; nginx means docker.io/library/nginx). '*' matches "
            + "within one path segment, '**' across segments; an optional ':tag' part also matches the tag.")
    @Required
    @Size(min = 1)
    public List<String> images = new ArrayList<>();

    @JsonPropertyDescription("Where Docker Content Trust (Notary v1) trust data for these images lives, and "
            + "the root keys it must chain to.")
    public NotarySpec notary;

    @JsonPropertyDescription("Base URL of the lookaside store holding GPG simple signatures "
            + "(<lookaside>/<repository path>@sha256=<hex>/signature-N), e.g. https://sigstore.example.com.")
    public String lookaside;

    @JsonPropertyDescription("Turns on cosign 2.x key-based signatures (the sha256-<hex>.sig tag beside the "
            + "image): {} looks in the image's repository; repository names another. Signers' PEM public keys "
            + "(cosign.pub) verify them.")
    public CosignSpec cosign;

    @JsonPropertyDescription("Turns on Notation (Notary Project) signatures, found as OCI referrers of the image "
            + "(the referrers API, or the referrers tag on registries without it): {}. Signers' PEM certificates "
            + "are the trust anchors (CA or self-signed), notationIdentities the trusted subjects; verification "
            + "level strict.")
    public NotationSpec notation;

    @JsonPropertyDescription("The signers this policy trusts, each a named set of public keys.")
    @Required
    @Size(min = 1)
    public List<SignerSpec> signers = new ArrayList<>();

    @JsonPropertyDescription("How many distinct signers must have signed the image's digest. Default 1.")
    @Min(1)
    @Default("1")
    public Integer minSignatures;

    @JsonPropertyDescription("Signers (by name) that must be among those that signed, whatever minSignatures says.")
    public List<String> requiredSigners;

    @JsonPropertyDescription("How the identity inside a GPG or cosign simple signature must match the image: "
            + "matchRepoDigestOrExact (default: same repository for digest references, same repository and "
            + "tag otherwise), matchRepository, or matchExact.")
    public SignedIdentity signedIdentity;

    @JsonPropertyDescription("Whether TrustExceptions may waive this policy for some images, and for how long at "
            + "most: {allow: true, maxDuration: 7d}. Default: they may not.")
    public ExceptionsSpec exceptions;
}
