package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The spec of a TrustException: which images, exempt from which policies, why, and until when. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustExceptionSpec {

    @JsonPropertyDescription("Images exempted, in this namespace only: patterns with the syntax of a policy's images "
            + "('*' within a path segment, '**' across them, optional ':tag'), or exact digests "
            + "registry.example.com/team/app@sha256:<hex>, which match only Pods that name that digest.")
    @Required
    @Size(min = 1, max = 64)
    public List<String> images = new ArrayList<>();

    @JsonPropertyDescription("Policies the images are exempted from: a name (a ClusterTrustPolicy, or a TrustPolicy "
            + "of this namespace), or ClusterTrustPolicy/<name>, TrustPolicy/<name>. Every other policy still "
            + "applies, and a policy is waived only if its spec.exceptions.allow is true.")
    @Required
    @Size(min = 1, max = 32)
    public List<String> policies = new ArrayList<>();

    @JsonPropertyDescription("Why the exception is needed; shown in every admission warning it causes.")
    @Required
    @Size(min = 1, max = 512)
    public String reason;

    @JsonPropertyDescription("When the exception stops applying, RFC 3339 (2026-12-31T18:00:00Z). At most "
            + "TRUSTGATE_EXCEPTIONS_MAX_DURATION (default 30 days) after creation, and the policy's "
            + "spec.exceptions.maxDuration.")
    @Required
    public String expires;
}
