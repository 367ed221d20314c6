package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** The spec of a ClusterTrustPolicy: a TrustPolicy spec that applies to the namespaces it selects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterTrustPolicySpec extends TrustPolicySpec {

    @JsonPropertyDescription("Namespaces this policy applies to; empty means every namespace.")
    public LabelSelector namespaceSelector;
}
