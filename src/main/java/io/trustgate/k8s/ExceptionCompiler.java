package io.trustgate.k8s;

import io.trustgate.k8s.crd.TrustException;
import io.trustgate.k8s.crd.TrustExceptionSpec;
import io.trustgate.policy.Exemption;
import io.trustgate.policy.InvalidPolicyException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Turns TrustException objects into {@link Exemption}s, or says why one is invalid (it then never applies). */
public final class ExceptionCompiler {

    /** A compiled exception, or the reason it is invalid. */
    public record Result(Exemption exemption, String error) {
        public boolean ok() {
            return exemption != null;
        }
    }

    private final Duration cap;

    /** @param cap the longest lifetime any exception may have ({@code TRUSTGATE_EXCEPTIONS_MAX_DURATION}) */
    public ExceptionCompiler(Duration cap) {
        this.cap = cap;
    }

    public Result compile(TrustException resource) {
        TrustExceptionSpec spec = resource.getSpec();
        if (spec == null) {
            return new Result(null, "the exception has no spec");
        }
        String created = resource.getMetadata().getCreationTimestamp();
        Instant creation;
        try {
            creation = OffsetDateTime.parse(created).toInstant();
        } catch (DateTimeParseException | NullPointerException e) {
            return new Result(null, "metadata.creationTimestamp \"" + created + "\" cannot be read");
        }
        try {
            return new Result(
                    Exemption.compile(
                            resource.getMetadata().getNamespace(),
                            resource.getMetadata().getName(),
                            spec.images,
                            spec.policies,
                            spec.reason,
                            creation,
                            spec.expires,
                            cap),
                    null);
        } catch (InvalidPolicyException e) {
            return new Result(null, e.getMessage());
        }
    }
}
