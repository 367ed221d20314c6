package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** Whether TrustExceptions may waive a policy ({@code spec.exceptions}); by default they may not. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExceptionsSpec {

    @JsonPropertyDescription("Let TrustExceptions exempt images from this policy. Default false: the policy applies "
            + "whatever exceptions say.")
    public Boolean allow;

    @JsonPropertyDescription("The longest lifetime (creation to expires) an exception may have to waive this policy, "
            + "e.g. 72h or 7d; never more than TRUSTGATE_EXCEPTIONS_MAX_DURATION. Default: that setting alone.")
    @Pattern("^[0-9]{1,6}(s|m|h|d)$")
    public String maxDuration;
}
