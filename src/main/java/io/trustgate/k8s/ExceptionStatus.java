package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustgate.k8s.crd.TrustException;
import io.trustgate.k8s.crd.TrustExceptionStatus;
import io.trustgate.policy.Exemption;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Writes a TrustException's status (its Ready condition: Active, Expired or Invalid, and the expiry), records the
 * one Event that says an exception stopped applying, and sets {@code status.pods} for the background recheck
 * ({@link #setPods}). Every write keeps what the others wrote.
 */
public final class ExceptionStatus {

    private static final Logger LOG = Logger.getLogger(ExceptionStatus.class);

    /** Reasons of the Ready condition. */
    public static final String ACTIVE = "Active";

    public static final String EXPIRED = "Expired";
    public static final String INVALID = "Invalid";

    /** What the Ready condition says. */
    public record State(boolean ready, String reason, String message, Instant expires) {}

    private final KubernetesClient client;
    private final Clock clock;

    public ExceptionStatus(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * The state of one exception at {@code now}: Invalid with the compiler's reason, Expired, or Active with a note
     * for every named policy that it cannot waive (none exists, or the policy does not allow it).
     */
    public static State state(ExceptionCompiler.Result compiled, List<Policy> policies, Instant now) {
        if (!compiled.ok()) {
            return new State(false, INVALID, compiled.error() + "; the exception never applies", null);
        }
        Exemption e = compiled.exemption();
        if (!e.activeAt(now)) {
            return new State(
                    false,
                    EXPIRED,
                    "expired at " + e.expires() + "; its images are checked against " + e.policies()
                            + " again. Create a new TrustException (with a new expiry) if it is still needed",
                    e.expires());
        }
        List<String> notes = new ArrayList<>();
        for (String named : e.policies()) {
            List<Policy> matching = new ArrayList<>();
            for (Policy p : policies) {
                if (e.names(p.id()) && namedBy(named, p.id())) {
                    matching.add(p);
                }
            }
            if (matching.isEmpty()) {
                notes.add("\"" + named + "\" names no loaded policy (a TrustPolicy must be in " + e.namespace() + ")");
            }
            for (Policy p : matching) {
                String refusal = p.exemptions().refusal(e);
                if (refusal != null) {
                    notes.add(p.id() + " is not waived: " + refusal);
                }
            }
        }
        String message = "exempts " + (e.patterns().size() + e.digests().size()) + " image entries from "
                + e.policies() + " in " + e.namespace() + " until " + e.expires() + " (reason: " + e.reason() + ")"
                + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
        return new State(true, ACTIVE, message, e.expires());
    }

    private static boolean namedBy(String named, PolicyId id) {
        int slash = named.indexOf('/');
        return named.substring(slash + 1).equals(id.name())
                && (slash < 0 || named.substring(0, slash).equals(id.kind().name()));
    }

    /**
     * Writes the Ready condition when it changed. When it turns Expired, the replica whose write wins (the update
     * carries the resourceVersion it read, so the others get a 409) records the Event: one Event per expiry.
     */
    void write(TrustException resource, State state) {
        TrustExceptionStatus current = resource.getStatus();
        Long generation = resource.getMetadata().getGeneration();
        Condition previous = current == null
                ? null
                : current.conditions.stream()
                        .filter(c -> "Ready".equals(c.getType()))
                        .findFirst()
                        .orElse(null);
        String expires = state.expires() == null ? null : state.expires().toString();
        if (previous != null
                && Objects.equals(current.observedGeneration, generation)
                && Objects.equals(previous.getReason(), state.reason())
                && Objects.equals(previous.getMessage(), state.message())
                && Objects.equals(current.expires, expires)) {
            return;
        }
        Condition ready = new ConditionBuilder()
                .withType("Ready")
                .withStatus(state.ready() ? "True" : "False")
                .withReason(state.reason())
                .withMessage(state.message())
                .withObservedGeneration(generation)
                .withLastTransitionTime(clock.instant().toString())
                .build();
        TrustExceptionStatus next = new TrustExceptionStatus();
        next.observedGeneration = generation;
        next.conditions = List.of(ready);
        next.expires = expires;
        next.pods = current == null ? null : current.pods;
        resource.setStatus(next);
        try {
            client.resources(TrustException.class)
                    .inNamespace(resource.getMetadata().getNamespace())
                    .resource(resource)
                    .updateStatus();
        } catch (KubernetesClientException e) {
            // Another replica wrote it first (409): it also records the Event; the next event brings the fresh object.
            LOG.debugf(
                    "status of TrustException %s not written: %s",
                    resource.getMetadata().getName(), e.getMessage());
            return;
        }
        if (EXPIRED.equals(state.reason()) && (previous == null || !EXPIRED.equals(previous.getReason()))) {
            recordExpired(resource, state);
        }
    }

    private void recordExpired(TrustException resource, State state) {
        String now = clock.instant().toString();
        Event event = new EventBuilder()
                .withNewMetadata()
                .withGenerateName(resource.getMetadata().getName() + ".")
                .withNamespace(resource.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(resource.getApiVersion())
                        .withKind("TrustException")
                        .withNamespace(resource.getMetadata().getNamespace())
                        .withName(resource.getMetadata().getName())
                        .withUid(resource.getMetadata().getUid())
                        .build())
                .withType("Warning")
                .withReason("Expired")
                .withMessage("TrustException " + resource.getMetadata().getNamespace() + "/"
                        + resource.getMetadata().getName() + " " + state.message())
                .withNewSource()
                .withComponent("trustgate")
                .endSource()
                .withReportingComponent("trustgate.io/trustgate")
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            client.v1()
                    .events()
                    .inNamespace(resource.getMetadata().getNamespace())
                    .resource(event)
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "cannot record the expiry Event of TrustException %s/%s: HTTP %d",
                    resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(),
                    e.getCode());
        }
    }

    /**
     * Sets {@code status.pods}, the number of running Pods whose images are admitted only because of this exception
     * (the background recheck counts them). A merge patch of that one field, so the Ready condition stays.
     *
     * @return false when the exception does not exist (any more) or the write was refused
     */
    public boolean setPods(String namespace, String name, int pods) {
        try {
            TrustException patched = client.resources(TrustException.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .subresource("status")
                    .patch(
                            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                            "{\"status\":{\"pods\":" + pods + "}}");
            return patched != null;
        } catch (KubernetesClientException e) {
            LOG.debugf("status.pods of TrustException %s/%s not written: HTTP %d", namespace, name, e.getCode());
            return false;
        }
    }
}
