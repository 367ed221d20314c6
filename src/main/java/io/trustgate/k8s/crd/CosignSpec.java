package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Turns the cosign signature source on ({@code spec.cosign: {}}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CosignSpec {

    @JsonPropertyDescription("Repository holding the cosign signatures (like COSIGN_REPOSITORY), e.g. "
            + "registry.example.com/signatures/app. Default: the image's own repository.")
    public String repository;

    @JsonPropertyDescription("Sigstore trusted root (the trusted_root.json text: Fulcio CAs, Rekor and CT log keys) "
            + "that keyless cosign bundles are verified against, offline. Needed when a signer lists identities.")
    public String trustedRoot;

    @JsonPropertyDescription("The trusted root from a Secret in trustgate's namespace (ClusterTrustPolicy) or the "
            + "policy's namespace (TrustPolicy), instead of trustedRoot.")
    public SignerSpec.KeysFrom trustedRootFrom;
}
