package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** The spec of a ClusterTrustPolicy: a TrustPolicy spec that applies to the namespaces it selects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterTrustPolicySpec extends TrustPolicySpec {

    @JsonPropertyDescription("Namespaces this policy applies to; empty means every namespace.")
    public LabelSelector namespaceSelector;

    @JsonPropertyDescription("Image patterns (same syntax as images) that namespaces may govern with their own "
            + "TrustPolicies alone. Elsewhere a TrustPolicy only adds requirements to images a ClusterTrustPolicy "
            + "governs, and never admits an image no ClusterTrustPolicy governs when ungoverned images are denied.")
    public List<String> allowNamespacedPolicies;
}
