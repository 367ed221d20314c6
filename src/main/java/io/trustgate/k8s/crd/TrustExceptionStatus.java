package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What trustgate made of a TrustException: Active, Expired or Invalid, its expiry, and how many Pods rely on it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustExceptionStatus {

    @JsonPropertyDescription("The metadata.generation the conditions describe.")
    public Long observedGeneration;

    @JsonPropertyDescription("Ready: True with reason Active while it applies; False with reason Expired or Invalid "
            + "(and why) when it does not.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("When it stops (or stopped) applying, as trustgate read spec.expires.")
    public String expires;

    @JsonPropertyDescription("Running Pods whose images are admitted only because of this exception (counted by the "
            + "background recheck).")
    public Integer pods;
}
