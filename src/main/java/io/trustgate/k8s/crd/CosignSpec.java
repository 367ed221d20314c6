package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Turns the cosign signature source on ({@code spec.cosign: {}}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CosignSpec {

    @JsonPropertyDescription("Repository holding the cosign signatures (like COSIGN_REPOSITORY), e.g. "
            + "registry.example.com/signatures/app. Default: the image's own repository.")
    public String repository;
}
