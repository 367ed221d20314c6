package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What trustgate made of a policy: Ready when its patterns and keys loaded, with the error otherwise. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustPolicyStatus {

    @JsonPropertyDescription("The metadata.generation the conditions describe.")
    public Long observedGeneration;

    @JsonPropertyDescription("Ready: True when the policy is loaded and enforced; False with the reason otherwise.")
    public List<Condition> conditions = new ArrayList<>();
}
